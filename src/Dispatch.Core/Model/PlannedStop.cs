namespace Dispatch.Model;

/// <summary>One stop of a courier's plan, with the times the engine expects.</summary>
/// <param name="Kind">Pickup or drop-off.</param>
/// <param name="OrderId">The order handled at this stop.</param>
/// <param name="SiteId">The pickup site for a pickup; -1 for a drop-off.</param>
/// <param name="X">Where the stop is.</param>
/// <param name="Y">Where the stop is.</param>
/// <param name="Departure">When the courier leaves the previous place for this stop.</param>
/// <param name="Arrival">When the courier arrives.</param>
/// <param name="ServiceAt">The pickup or drop-off instant (the published MDRP convention: arrival + half the service time, and for pickups not before ready).</param>
/// <param name="Leave">When the courier leaves this stop.</param>
public readonly record struct PlannedStop(StopKind Kind, long OrderId, long SiteId, double X, double Y, double Departure, double Arrival, double ServiceAt, double Leave);
