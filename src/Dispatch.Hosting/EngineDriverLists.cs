using Dispatch.Model;

namespace Dispatch.Hosting;

/// <summary>
/// The engine's enumerations (<see cref="IEngineDriver.CopyActiveCouriers"/>, <see cref="IEngineDriver.CopySites"/>,
/// <see cref="IEngineDriver.CopyOpenOrders"/>) as lists, for hosts that read them outside the tick (the live view's seed
/// after a restart, a cluster region's hand-off steps): one way to copy with a buffer grown until everything fits.
/// </summary>
public static class EngineDriverLists
{
    private delegate int SpanCopy<T>(Span<T> destination);

    /// <summary>The couriers on shift or scheduled, in slot order.</summary>
    public static List<ActiveCourier> ActiveCouriers(this IEngineDriver driver) => All<ActiveCourier>(driver.CopyActiveCouriers);

    /// <summary>The sites, in the order they were added.</summary>
    public static List<SiteInfo> Sites(this IEngineDriver driver) => All<SiteInfo>(driver.CopySites);

    /// <summary>The orders still in work, in slot order.</summary>
    public static List<OpenOrder> OpenOrders(this IEngineDriver driver) => All<OpenOrder>(driver.CopyOpenOrders);

    private static List<T> All<T>(SpanCopy<T> copy)
    {
        var buffer = new T[64];
        int n;
        while ((n = copy(buffer)) > buffer.Length) buffer = new T[n];
        return [.. buffer.AsSpan(0, n)];
    }
}
