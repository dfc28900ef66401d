using Dispatch.Engine;
using Dispatch.Model;
using Dispatch.Protocol;

namespace Dispatch.Hosting;

/// <summary>
/// The command router behind one non-generic face, so a host does not care which travel rule it was
/// built with. One interface call per command is noise; the tick itself stays specialised for its
/// struct sink inside <see cref="EngineDriver{TTravel}"/>.
/// </summary>
public interface IEngineDriver
{
    /// <summary>
    /// Carries out one engine command: an event (traffic included) at <paramref name="now"/>; a Tick at
    /// its own time (<see cref="Command.T1"/>), decisions to <paramref name="sink"/>; or a query, whose
    /// reply frame is written to <paramref name="reply"/>. Returns the number of reply frames written (1
    /// for a query, 0 otherwise: events and ticks are acknowledged by the host once journaled). Throws
    /// DispatchException (state unchanged, nothing written) when the engine refuses, and
    /// ArgumentException for a command that is not the engine's (Hello, Ping, Subscribe, GetMetrics).
    /// </summary>
    int Route<TSink>(in Command command, double now, ref TSink sink, FrameBuffer? reply) where TSink : struct, IAssignmentSink;

    /// <summary>Applies an engine event (traffic events included) at <paramref name="now"/>, through <see cref="Route"/>. Throws DispatchException (state unchanged) on refusal.</summary>
    void Apply(in Command command, double now);

    /// <summary>Runs the tick with decisions discarded (journal replay: they were pushed before the crash).</summary>
    void ReplayTick(double now);

    /// <summary>The traffic picture the engine's travel rule reads.</summary>
    TrafficPicture Traffic { get; }

    /// <summary>Orders by status and couriers known.</summary>
    EngineCounts Counts { get; }

    /// <summary>
    /// The courier an order is planned with or carried by (-1: open, finished without one, or unknown): what a host
    /// checks before it lets a courier's own app confirm the order (the server's courier-app role).
    /// </summary>
    long CourierOfOrder(long orderId);

    /// <summary>
    /// The promised drop-off the engine stands by for an order still in its hot store (false for an unknown or long
    /// finished one; +infinity when no courier could take it at placement): what a live view measures slack against.
    /// </summary>
    bool TryGetPromise(long orderId, out double promisedDropoff);

    /// <summary>The couriers on shift or scheduled (not ended), as <see cref="DispatchEngine{TTravel}.CopyActiveCouriers"/>.</summary>
    int CopyActiveCouriers(Span<ActiveCourier> destination);

    /// <summary>The sites, as <see cref="DispatchEngine{TTravel}.CopySites"/>.</summary>
    int CopySites(Span<SiteInfo> destination);

    /// <summary>The orders still in work, as <see cref="DispatchEngine{TTravel}.CopyOpenOrders"/>.</summary>
    int CopyOpenOrders(Span<OpenOrder> destination);

    /// <summary>A courier's committed, unfinished stops, as <see cref="DispatchEngine{TTravel}.CopyRoute"/>.</summary>
    int CopyRoute(long courierId, Span<PlannedStop> destination);

    /// <summary>Time of the last tick (negative infinity before the first).</summary>
    double LastTick { get; }

    /// <summary>Writes the engine's whole state (<see cref="Dispatch.Engine.DispatchEngine{TTravel}.SaveSnapshot"/>).</summary>
    void SaveSnapshot(Stream stream);
}
