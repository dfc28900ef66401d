using System.Globalization;
using System.Text;

namespace Dispatch.Simulator.Tests.Generation;

internal static class InstanceAssert
{
    /// <summary>Every field of both instances is equal (name, parameters, each restaurant, order and courier).</summary>
    public static void Identical(MdrpInstance expected, MdrpInstance actual)
    {
        Assert.Equal(expected.Name, actual.Name);
        Assert.Equal(expected.Parameters, actual.Parameters);
        Assert.Equal(expected.Restaurants, actual.Restaurants);
        Assert.Equal(expected.Orders, actual.Orders);
        Assert.Equal(expected.Couriers, actual.Couriers);
    }

    /// <summary>FNV-1a 64 over a canonical text of the data (name excluded): pins generated output across runtimes.</summary>
    public static ulong Fingerprint(MdrpInstance instance)
    {
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        var p = instance.Parameters;
        sb.Append(inv, $"{p.MetersPerMinute}|{p.PickupServiceMinutes}|{p.DropoffServiceMinutes}|{p.TargetClickToDoor}|{p.MaxClickToDoor}|{p.PayPerOrder}|{p.GuaranteedPayPerHour}\n");
        foreach (var r in instance.Restaurants) sb.Append(inv, $"{r.Id}|{r.X}|{r.Y}\n");
        foreach (var o in instance.Orders) sb.Append(inv, $"{o.Id}|{o.X}|{o.Y}|{o.PlacementTime}|{o.Restaurant}|{o.ReadyTime}\n");
        foreach (var c in instance.Couriers) sb.Append(inv, $"{c.Id}|{c.X}|{c.Y}|{c.OnTime}|{c.OffTime}\n");
        ulong hash = 14695981039346656037UL;
        foreach (char ch in sb.ToString())
        {
            hash ^= ch;
            hash = unchecked(hash * 1099511628211UL);
        }
        return hash;
    }
}
