namespace Dispatch.Protocol;

/// <summary>
/// PlaceOrder's optional trailing fields: the order's time windows and service minutes, honoured by
/// the <c>General</c> profile (see docs/protocol.md). A value type, so decoding an order with terms
/// allocates nothing; a missing field has its "none" value.
/// </summary>
/// <param name="PickupBy">Latest pickup instant; +infinity for none.</param>
/// <param name="DeliverAfter">Earliest drop-off instant; 0 for none.</param>
/// <param name="DeliverBy">Latest drop-off instant; +infinity for none.</param>
/// <param name="PickupServiceMinutes">Minutes the pickup takes; NaN for the server's default.</param>
/// <param name="DropoffServiceMinutes">Minutes the drop-off takes; NaN for the server's default.</param>
public readonly record struct OrderTerms(
    double PickupBy = double.PositiveInfinity, double DeliverAfter = 0, double DeliverBy = double.PositiveInfinity,
    double PickupServiceMinutes = double.NaN, double DropoffServiceMinutes = double.NaN)
{
    /// <summary>No windows, default service minutes. (Not <c>new OrderTerms()</c>: a struct's parameterless constructor zeroes every field.)</summary>
    public static OrderTerms None => new(double.PositiveInfinity, 0, double.PositiveInfinity, double.NaN, double.NaN);

    /// <summary>Fields on the wire after PlaceOrder's size.</summary>
    internal const int WireFields = 5;

    /// <summary>True when every field has its "none" value (the order is written without trailing fields).</summary>
    public bool IsNone => Equals(None);   // record equality: NaN equals NaN, as the markers need
}
