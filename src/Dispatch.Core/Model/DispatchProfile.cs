// Kept in namespace Dispatch.Engine (public API of the package) but filed under Model, beside the types it
// speaks of, so that Engine, Planning and State all see it without a folder cycle (.editorconfig exempts it
// from the folder = namespace rule).
namespace Dispatch.Engine;

/// <summary>The rules and policy the engine dispatches under.</summary>
public enum DispatchProfile : byte
{
    /// <summary>
    /// The published Meal Delivery Routing Problem rules: bundles from one site only, a courier finishes
    /// an assignment before the next and is never diverted on its way to a site, no pickup after shift end.
    /// Decided by the rolling-horizon optimizer (matching + bundling + postponement).
    /// </summary>
    Mdrp = 0,

    /// <summary>
    /// Multi-site routes: a courier may carry orders of several sites at once, within capacity, with
    /// pickup before drop-off. New orders are inserted into the not-yet-started part of routes, then up to
    /// <see cref="DispatchOptions.GeneralImprovementMovesPerTick"/> improvement moves rework that part each
    /// tick. The only profile that honours orders' time windows (hard: an order that fits no courier stays
    /// open) and per-order service minutes (<see cref="Model.OrderRequest"/>).
    /// </summary>
    General = 1,

    /// <summary>The baseline: each open order, oldest first, goes to the nearest idle courier at once. For comparison only.</summary>
    Greedy = 2,

    /// <summary>
    /// The published method, for comparison: the rolling-horizon policy of the MDRP paper (Reyes et al. 2018) under
    /// MDRP rules, optimising every 5 minutes with a target bundle size from orders ready and couriers free soon,
    /// parallel-insertion bundles per site, a throughput-weighted assignment and the paper's postponement.
    /// </summary>
    Reyes = 3,
}
