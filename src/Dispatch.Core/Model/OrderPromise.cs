namespace Dispatch.Model;

/// <summary>The drop-off time the engine promised an order, as recorded when it was placed.</summary>
/// <param name="OrderId">The order.</param>
/// <param name="Promised">The promise standing now (later than <paramref name="FirstPromised"/> after a re-quote); +infinity
/// when no courier on shift could take the order at placement.</param>
/// <param name="FirstPromised">The promise made at placement.</param>
/// <param name="PointEstimate">The engine's point estimate of the drop-off at placement, before the calibrated margin (NaN: none).</param>
/// <param name="PlannedDropoff">The drop-off its plan has now (NaN until a courier is committed).</param>
/// <param name="Situation">The calibration situation the promise was made in, whose recent errors gave its margin, so an
/// analysis of promises can split them as the calibration does: the expected courier-wait band (0: no wait expected,
/// up to 6: 40 minutes or more) plus 7 times the band of the demand still to come ahead of it per courier on shift (0:
/// under 0.1 orders, 1: under 0.3, 2: more). Orders loaded from a snapshot older than format 10 have demand band 0.</param>
public readonly record struct OrderPromise(long OrderId, double Promised, double FirstPromised, double PointEstimate, double PlannedDropoff, int Situation = 0);
