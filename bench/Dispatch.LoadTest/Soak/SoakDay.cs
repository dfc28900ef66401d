using System.Globalization;
using Dispatch.Simulator.Generation;
using Dispatch.Simulator.Mdrp;

namespace Dispatch.LoadTest.Soak;

/// <summary>
/// One simulated day of the soak: a generated peak-hour wave (<see cref="WaveGenerator"/>: a lunch and a
/// dinner peak over a base rate, couriers on shifts sized to the orders becoming ready) in the soak's one
/// city, with ids unique across days and times on the server's continuous engine clock (day d starts at
/// minute 1440 d). Plus the day's cancellations: a share of the orders, cancelled a few minutes after placement.
/// </summary>
internal sealed class SoakDay
{
    /// <summary>Minutes in a simulated day; the engine clock runs on across days.</summary>
    public const int Minutes = 1440;

    /// <summary>Order ids are <c>(day + 1) x OrderIdBase + index + 1</c>: unique across days (a day has at most 2M orders).</summary>
    public const long OrderIdBase = 10_000_000;

    /// <summary>Courier ids are <c>(day + 1) x CourierIdBase + index + 1</c>.</summary>
    public const long CourierIdBase = 1_000_000;

    /// <summary>Share of couriers (on shifts of two hours or more) who stop early.</summary>
    public const double EarlyLeaverShare = 0.1;

    private SoakDay(int day, int orders, int couriers)
    {
        Day = day;
        Site = new int[orders];
        X = new double[orders];
        Y = new double[orders];
        Placed = new int[orders];
        Ready = new int[orders];
        CancelAt = new int[orders];
        CourierX = new double[couriers];
        CourierY = new double[couriers];
        On = new int[couriers];
        Off = new int[couriers];
        LeaveAt = new int[couriers];
    }

    /// <summary>Day number from 0.</summary>
    public int Day { get; }

    /// <summary>Engine minute the day starts at.</summary>
    public double Start => (double)Day * Minutes;

    /// <summary>Orders of the day, by placement.</summary>
    public int Orders => Site.Length;

    /// <summary>Couriers of the day, by shift start.</summary>
    public int Couriers => On.Length;

    /// <summary>Site id (restaurant index + 1 in the city) of each order.</summary>
    public int[] Site { get; }

    /// <summary>Drop-off coordinates of each order, metres.</summary>
    public double[] X { get; }

    /// <inheritdoc cref="X"/>
    public double[] Y { get; }

    /// <summary>Placement minute of each order (minutes from the day's start).</summary>
    public int[] Placed { get; }

    /// <summary>Ready minute of each order (minutes from the day's start).</summary>
    public int[] Ready { get; }

    /// <summary>Minute (from the day's start) the customer cancels, or -1 for an order not cancelled.</summary>
    public int[] CancelAt { get; }

    /// <summary>Courier start coordinates, metres.</summary>
    public double[] CourierX { get; }

    /// <inheritdoc cref="CourierX"/>
    public double[] CourierY { get; }

    /// <summary>Shift start of each courier (minutes from the day's start).</summary>
    public int[] On { get; }

    /// <summary>Shift end of each courier (minutes from the day's start).</summary>
    public int[] Off { get; }

    /// <summary>
    /// Minute (from the day's start) a courier asks to stop early, or -1: it works to its shift end, where the engine
    /// takes it off shift by itself. One in ten stops within the last hour of a shift of two hours or more.
    /// </summary>
    public int[] LeaveAt { get; }

    /// <summary>Last minute of the day's shifts (WaveOptions.EndMinute).</summary>
    public int Close { get; private init; }

    public long OrderId(int index) => (Day + 1) * OrderIdBase + index + 1;

    public long CourierId(int index) => (Day + 1) * CourierIdBase + index + 1;

    /// <summary>The day an order id belongs to and its index in it.</summary>
    public static (int Day, int Index) OfOrder(long id) => ((int)(id / OrderIdBase) - 1, (int)(id % OrderIdBase) - 1);

    /// <summary>The day a courier id belongs to and its index in it.</summary>
    public static (int Day, int Index) OfCourier(long id) => ((int)(id / CourierIdBase) - 1, (int)(id % CourierIdBase) - 1);

    /// <summary>The soak's city: the restaurants of day 0's wave (seed <paramref name="seed"/>); site id = index + 1.</summary>
    public static MdrpRestaurant[] City(int seed, int ordersPerDay) => Generate(seed, ordersPerDay).Restaurants;

    /// <summary>
    /// Day <paramref name="day"/>: the wave of seed <paramref name="seed"/> + <paramref name="day"/>. A different seed gives a
    /// different city too, so each order is moved to the same-numbered restaurant of <paramref name="city"/> with its drop-off
    /// kept at the same offset from it (the wave's popularity and distances stay, the sites are the soak's).
    /// </summary>
    public static SoakDay Create(int day, int seed, int ordersPerDay, MdrpRestaurant[] city, double cancelShare)
    {
        var wave = Generate(seed + day, ordersPerDay);
        var result = new SoakDay(day, wave.Orders.Length, wave.Couriers.Length) { Close = new WaveOptions().EndMinute };
        var cancels = new Random(unchecked(seed * 7919 + day));
        for (int i = 0; i < wave.Orders.Length; i++)
        {
            var o = wave.Orders[i];
            int r = wave.RestaurantIndex[o.Restaurant];
            var own = wave.Restaurants[r];
            var site = city[r];
            result.Site[i] = r + 1;
            result.X[i] = Math.Max(0, site.X + (o.X - own.X));
            result.Y[i] = Math.Max(0, site.Y + (o.Y - own.Y));
            result.Placed[i] = o.PlacementTime;
            result.Ready[i] = o.ReadyTime;
            result.CancelAt[i] = cancels.NextDouble() < cancelShare ? o.PlacementTime + cancels.Next(2, 16) : -1;
        }
        for (int i = 0; i < wave.Couriers.Length; i++)
        {
            var c = wave.Couriers[i];
            result.CourierX[i] = c.X;
            result.CourierY[i] = c.Y;
            result.On[i] = c.OnTime;
            result.Off[i] = c.OffTime;
            result.LeaveAt[i] = c.OffTime - c.OnTime >= 120 && cancels.NextDouble() < EarlyLeaverShare ? c.OffTime - cancels.Next(5, 61) : -1;
        }
        return result;
    }

    private static MdrpInstance Generate(int seed, int ordersPerDay)
    {
        var wave = WaveGenerator.Generate(new WaveOptions { Seed = seed, OrdersPerDay = ordersPerDay });
        if (wave.Restaurants.Length == 0) throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"seed {seed}: no restaurants"));
        return wave;
    }
}
