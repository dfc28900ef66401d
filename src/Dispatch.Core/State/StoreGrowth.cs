namespace Dispatch.State;

/// <summary>
/// How the stores grow when a placement or a shift finds every slot taken: by a quarter, not by doubling. A store's
/// capacity is the most it ever held (slots are reused, never given back), so growth overshoots that peak for as long
/// as the process lives; a quarter keeps the overshoot small (a day that sets a new peak by a few percent costs a few
/// percent more memory, not twice the courier routes) and still grows in amortised constant time. A restored engine
/// takes the same quarter over the snapshot's slots, so its capacity follows the slot count smoothly (not the steps of
/// the growth sequence from the initial capacity) and a next peak a little above the last fits without growing.
/// Capacity never changes which slot an order or a courier gets, so decisions do not depend on it.
/// </summary>
internal static class StoreGrowth
{
    /// <summary>The capacity after <paramref name="capacity"/>: a quarter more, at least 16 more.</summary>
    public static int Next(int capacity) => capacity + Math.Max(capacity / 4, 16);
}
