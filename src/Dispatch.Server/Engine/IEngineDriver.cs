using Dispatch.Protocol;
using Dispatch.Model;

namespace Dispatch.Server.Engine;

/// <summary>
/// The engine behind one non-generic face, so the host does not care which travel rule it was built
/// with. One interface call per command is noise; the tick itself stays specialised for its struct
/// sink inside <see cref="EngineDriver{TTravel}"/>.
/// </summary>
internal interface IEngineDriver
{
    /// <summary>Applies an engine event (traffic events included) at <paramref name="now"/>. Throws DispatchException (state unchanged) on refusal.</summary>
    void Apply(in Command command, double now);

    /// <summary>Runs the tick, pushing decisions to subscribers through <paramref name="fanout"/>.</summary>
    void Tick(double now, PushFanout fanout);

    /// <summary>Runs the tick with decisions discarded (journal replay: they were pushed before the crash).</summary>
    void ReplayTick(double now);

    /// <summary>A promised drop-off time (+infinity when no courier can take the order). Throws DispatchException on bad input.</summary>
    double QuoteDropoff(long siteId, double dropX, double dropY, double readyAt, double now);

    /// <summary>The traffic picture the engine's travel rule reads.</summary>
    TrafficPicture Traffic { get; }

    EngineCounts Counts { get; }

    double LastTick { get; }

    bool TryGetOrder(long orderId, out OrderView view);

    bool TryGetCourier(long courierId, out CourierView view);

    /// <summary>Writes the engine's whole state (<see cref="Dispatch.Engine.DispatchEngine{TTravel}.SaveSnapshot"/>).</summary>
    void SaveSnapshot(Stream stream);
}
