namespace Dispatch.Model;

/// <summary>A new order as the caller places it. Times are minutes on the caller's clock.</summary>
/// <param name="OrderId">Caller's id, unique across the engine's life.</param>
/// <param name="SiteId">The pickup site (restaurant), added before with <c>AddSite</c>.</param>
/// <param name="DropX">Drop-off x (or longitude).</param>
/// <param name="DropY">Drop-off y (or latitude).</param>
/// <param name="PlacedAt">When the customer placed it; the engine never assigns it before this.</param>
/// <param name="ReadyAt">When the kitchen expects it ready; pickup never happens earlier.</param>
/// <param name="Size">Capacity units it takes in a courier's bag (general profile); 1 by default.</param>
public readonly record struct OrderRequest(long OrderId, long SiteId, double DropX, double DropY, double PlacedAt, double ReadyAt, int Size = 1);
