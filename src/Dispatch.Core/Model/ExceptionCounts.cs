namespace Dispatch.Model;

/// <summary>Counts of the exceptions an operator reported (failed and wrong deliveries, kitchen changes), kept
/// incrementally for the engine's life (they survive the orders' retention and are in snapshots).</summary>
/// <param name="FailedDeliveries">Deliveries reported failed at the door (<c>DeliveryFailed</c>), re-made or returned.</param>
/// <param name="WrongDeliveries">Orders reported delivered to the wrong customer (<c>WrongOrderDelivered</c>).</param>
/// <param name="Remakes">Orders re-made at their site and dispatched again (one order may count more than once).</param>
/// <param name="RemadeDelivered">Drop-offs confirmed of orders that had been re-made at least once.</param>
/// <param name="Returned">Failed deliveries that ended the order (<see cref="OrderStatus.Returned"/>).</param>
/// <param name="OrderChanges">Kitchen changes of an order (<c>ChangeOrder</c>: out of stock, a new ready time or size).</param>
public readonly record struct ExceptionCounts(int FailedDeliveries, int WrongDeliveries, int Remakes, int RemadeDelivered, int Returned, int OrderChanges);
