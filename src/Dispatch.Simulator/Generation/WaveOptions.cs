using System.Globalization;
using Dispatch.Simulator.Mdrp;

namespace Dispatch.Simulator.Generation;

/// <summary>
/// Settings of <see cref="WaveGenerator"/>: one operating day of a synthetic city shaped after the
/// recorded Grubhub traces in ../shared/mdrp (times are whole minutes from the start of the
/// operating day, as in the traces; coordinates are metres).
/// </summary>
/// <remarks>
/// The defaults reproduce the traces' statistics: minute 0 is the opening (about 10:00), the day
/// closes at minute 840, lunch peaks around minute 150 and dinner around minute 540, preparation
/// takes 18 minutes on average (gamma, like the traces' 16-20), drop-offs lie a median 2.1 km from
/// the restaurant, and couriers work 1-5 hour shifts starting on the hour or half hour.
/// Call <see cref="Validate"/> (the generator does) to get a clear error for a bad setting.
/// </remarks>
public sealed record WaveOptions
{
    /// <summary>Smallest accepted <see cref="OrdersPerDay"/>.</summary>
    public const int MinOrdersPerDay = 1_000;

    /// <summary>Largest accepted <see cref="OrdersPerDay"/>.</summary>
    public const int MaxOrdersPerDay = 1_000_000;

    /// <summary>Largest accepted <see cref="ExpectedOrders"/> (orders per day after the weather and holiday multipliers).</summary>
    public const int MaxExpectedOrders = 2_000_000;

    /// <summary>Largest default city radius: cities stop growing and get denser past about 70,000 orders a day.</summary>
    public const double MaxDefaultCityRadiusMeters = 50_000;

    /// <summary>Largest default restaurant count (reached at 67,500 orders a day).</summary>
    public const int MaxDefaultRestaurants = 15_000;

    /// <summary>Seed of the deterministic generator: the same options always give the same instance.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Baseline orders of the day (1,000 .. 1,000,000) before <see cref="WeatherMultiplier"/> and <see cref="HolidayMultiplier"/>.</summary>
    public int OrdersPerDay { get; init; } = 1_000;

    /// <summary>
    /// Radius of the city's restaurant area in metres; null derives it from <see cref="OrdersPerDay"/>
    /// (see <see cref="DefaultCityRadiusMeters"/>). Drop-offs may lie up to <see cref="MaxDeliveryMeters"/> beyond it.
    /// </summary>
    public double? CityRadiusMeters { get; init; }

    /// <summary>Number of restaurants; null derives it from <see cref="OrdersPerDay"/> (see <see cref="DefaultRestaurants"/>).</summary>
    public int? Restaurants { get; init; }

    /// <summary>Share of the day's orders in the lunch peak (a Gaussian around <see cref="LunchPeakMinute"/>).</summary>
    public double LunchPeakShare { get; init; } = 0.28;

    /// <summary>Share of the day's orders in the dinner peak (a Gaussian around <see cref="DinnerPeakMinute"/>). The rest is a flat base rate.</summary>
    public double DinnerPeakShare { get; init; } = 0.42;

    /// <summary>Centre of the lunch peak, in the same minutes as <see cref="StartMinute"/> (default 150, about 12:30).</summary>
    public int LunchPeakMinute { get; init; } = 150;

    /// <summary>Standard deviation of the lunch peak in minutes.</summary>
    public double LunchPeakSpreadMinutes { get; init; } = 55;

    /// <summary>Centre of the dinner peak (default 540, about 19:00).</summary>
    public int DinnerPeakMinute { get; init; } = 540;

    /// <summary>Standard deviation of the dinner peak in minutes.</summary>
    public double DinnerPeakSpreadMinutes { get; init; } = 70;

    /// <summary>Demand factor of the weather (0.25 .. 4): rain or snow &gt; 1 boosts orders, a fine evening &lt; 1.</summary>
    public double WeatherMultiplier { get; init; } = 1.0;

    /// <summary>Demand factor of the calendar (0.25 .. 4): e.g. 1.3 for a sports final or New Year's Eve.</summary>
    public double HolidayMultiplier { get; init; } = 1.0;

    /// <summary>Travel speed, service times, click-to-door target and maximum, pay: the published defaults (320 m/min, 4/4, 40, 90, 10, 15).</summary>
    public MdrpParameters Parameters { get; init; } = MdrpParameters.Default;

    /// <summary>Opening minute of the operating day (the traces start at 0).</summary>
    public int StartMinute { get; init; }

    /// <summary>Closing minute: the last courier shift ends here (the traces end between 780 and 1080).</summary>
    public int EndMinute { get; init; } = 840;

    /// <summary>No order is placed in the last minutes before <see cref="EndMinute"/> (the traces stop 30-50 minutes early).</summary>
    public int LastOrderMinutesBeforeEnd { get; init; } = 45;

    /// <summary>Mean preparation time (ready - placement) in minutes; gamma distributed with shape 3, varied per restaurant.</summary>
    public double MeanPrepMinutes { get; init; } = 18;

    /// <summary>Per-axis standard deviation of a drop-off around its restaurant (1,800 m gives the traces' median of 2.1 km).</summary>
    public double DeliverySpreadMeters { get; init; } = 1_800;

    /// <summary>No drop-off lies farther than this from its restaurant (the traces' longest is 5.5 - 9.7 km).</summary>
    public double MaxDeliveryMeters { get; init; } = 6_500;

    /// <summary>Orders one courier is expected to deliver per hour on duty (the traces' peak hours: 2 - 2.5).</summary>
    public double OrdersPerCourierHour { get; init; } = 2.5;

    /// <summary>Scales courier supply: 1 staffs exactly to demand, 1.2 adds 20 % more couriers on duty, 0.8 runs short.</summary>
    public double CourierSupplyFactor { get; init; } = 1.0;

    /// <summary>Couriers on duty at every moment of the operating day, however quiet.</summary>
    public int MinCouriersOnDuty { get; init; } = 2;

    /// <summary>
    /// Give every order a promised latest drop-off (<see cref="MdrpOrder.DeliverBy"/>, a hard time window
    /// for the engine's General profile): placement + a promise drawn uniformly from
    /// <see cref="PromiseMinMinutes"/> .. <see cref="PromiseMaxMinutes"/>, and never earlier than the order's
    /// earliest possible drop-off (ready + half the pickup service + the direct ride + half the drop-off
    /// service, rounded up) + <see cref="PromiseSlackMinutes"/>, as a platform quotes a slow kitchen a later
    /// time. Drawn from a stream of its own: the city, orders and couriers are the same with or without it.
    /// Off by default, so waves generated without it are unchanged.
    /// </summary>
    public bool DeliveryPromises { get; init; }

    /// <summary>Shortest promise, minutes after placement (with <see cref="DeliveryPromises"/>).</summary>
    public int PromiseMinMinutes { get; init; } = 45;

    /// <summary>Longest promise, minutes after placement (with <see cref="DeliveryPromises"/>).</summary>
    public int PromiseMaxMinutes { get; init; } = 60;

    /// <summary>A promise is at least this many minutes after the order's earliest possible drop-off (with <see cref="DeliveryPromises"/>).</summary>
    public int PromiseSlackMinutes { get; init; } = 15;

    /// <summary>The city radius used: <see cref="CityRadiusMeters"/> or the default for <see cref="OrdersPerDay"/>.</summary>
    public double ResolvedCityRadiusMeters => CityRadiusMeters ?? DefaultCityRadiusMeters(OrdersPerDay);

    /// <summary>The restaurant count used: <see cref="Restaurants"/> or the default for <see cref="OrdersPerDay"/>.</summary>
    public int ResolvedRestaurants => Restaurants ?? DefaultRestaurants(OrdersPerDay);

    /// <summary>Orders the generator produces: OrdersPerDay x WeatherMultiplier x HolidayMultiplier, rounded.</summary>
    public int ExpectedOrders => (int)Math.Round(OrdersPerDay * WeatherMultiplier * HolidayMultiplier, MidpointRounding.AwayFromZero);

    /// <summary>Last minute at which an order may be placed.</summary>
    public int LastOrderMinute => EndMinute - LastOrderMinutesBeforeEnd;

    /// <summary>
    /// 6 km x sqrt(orders / 1,000), at most 50 km. Radius grows like the square root of demand so the
    /// area grows with demand and orders (and restaurants) per km² stay what the traces show
    /// (about 1,000 orders over a 12 km wide city); past ~70,000 orders a day the city stops
    /// growing and gets denser instead, like a real metropolis.
    /// </summary>
    public static double DefaultCityRadiusMeters(int ordersPerDay) =>
        Math.Min(MaxDefaultCityRadiusMeters, 6_000.0 * Math.Sqrt(ordersPerDay / 1_000.0));

    /// <summary>One restaurant per 4.5 daily orders (the traces: 4.4 - 11), at most 15,000.</summary>
    public static int DefaultRestaurants(int ordersPerDay) =>
        Math.Clamp((int)Math.Round(ordersPerDay / 4.5, MidpointRounding.AwayFromZero), 1, MaxDefaultRestaurants);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> (naming the setting) or <see cref="ArgumentNullException"/> for a bad setting.</summary>
    public void Validate()
    {
        if (OrdersPerDay < MinOrdersPerDay || OrdersPerDay > MaxOrdersPerDay)
            throw Bad(nameof(OrdersPerDay), OrdersPerDay, $"must be between {MinOrdersPerDay:N0} and {MaxOrdersPerDay:N0}");
        if (CityRadiusMeters is double radius && !(radius >= 500 && radius <= 500_000))
            throw Bad(nameof(CityRadiusMeters), radius, "must be between 500 and 500,000 metres (or null to derive it from OrdersPerDay)");
        if (Restaurants is int restaurants && (restaurants < 1 || restaurants > 200_000))
            throw Bad(nameof(Restaurants), restaurants, "must be between 1 and 200,000 (or null to derive it from OrdersPerDay)");
        CheckRange(nameof(LunchPeakShare), LunchPeakShare, 0, 1);
        CheckRange(nameof(DinnerPeakShare), DinnerPeakShare, 0, 1);
        if (LunchPeakShare + DinnerPeakShare > 1)
            throw Bad(nameof(DinnerPeakShare), DinnerPeakShare, $"LunchPeakShare + DinnerPeakShare must not exceed 1 (got {LunchPeakShare + DinnerPeakShare:0.###}); the rest is the base rate");
        CheckRange(nameof(WeatherMultiplier), WeatherMultiplier, 0.25, 4);
        CheckRange(nameof(HolidayMultiplier), HolidayMultiplier, 0.25, 4);
        if (ExpectedOrders > MaxExpectedOrders)
            throw Bad(nameof(OrdersPerDay), OrdersPerDay, $"OrdersPerDay x WeatherMultiplier x HolidayMultiplier = {ExpectedOrders:N0} exceeds {MaxExpectedOrders:N0}");
        if (Parameters is null) throw new ArgumentNullException(nameof(Parameters), "Parameters must not be null (use MdrpParameters.Default)");
        if (!(Parameters.MetersPerMinute > 0) || !double.IsFinite(Parameters.MetersPerMinute))
            throw Bad(nameof(Parameters), Parameters.MetersPerMinute, "Parameters.MetersPerMinute must be a positive number");
        if (StartMinute < 0 || StartMinute > 1440)
            throw Bad(nameof(StartMinute), StartMinute, "must be between 0 and 1,440");
        if (EndMinute < StartMinute + 120 || EndMinute > StartMinute + 1440)
            throw Bad(nameof(EndMinute), EndMinute, $"must be 120 .. 1,440 minutes after StartMinute ({StartMinute})");
        if (LastOrderMinutesBeforeEnd < 15 || LastOrderMinutesBeforeEnd > EndMinute - StartMinute - 60)
            throw Bad(nameof(LastOrderMinutesBeforeEnd), LastOrderMinutesBeforeEnd, $"must be between 15 and {EndMinute - StartMinute - 60} (leave at least an hour of ordering)");
        if (LunchPeakMinute < StartMinute || LunchPeakMinute > LastOrderMinute)
            throw Bad(nameof(LunchPeakMinute), LunchPeakMinute, $"must lie in the ordering window {StartMinute} .. {LastOrderMinute}");
        if (DinnerPeakMinute < StartMinute || DinnerPeakMinute > LastOrderMinute)
            throw Bad(nameof(DinnerPeakMinute), DinnerPeakMinute, $"must lie in the ordering window {StartMinute} .. {LastOrderMinute}");
        CheckRange(nameof(LunchPeakSpreadMinutes), LunchPeakSpreadMinutes, 5, 360);
        CheckRange(nameof(DinnerPeakSpreadMinutes), DinnerPeakSpreadMinutes, 5, 360);
        CheckRange(nameof(MeanPrepMinutes), MeanPrepMinutes, 0, 120);
        CheckRange(nameof(DeliverySpreadMeters), DeliverySpreadMeters, 50, 20_000);
        CheckRange(nameof(MaxDeliveryMeters), MaxDeliveryMeters, 100, 50_000);
        if (MaxDeliveryMeters < DeliverySpreadMeters * 0.5)
            throw Bad(nameof(MaxDeliveryMeters), MaxDeliveryMeters, $"must be at least half of DeliverySpreadMeters ({DeliverySpreadMeters})");
        CheckRange(nameof(OrdersPerCourierHour), OrdersPerCourierHour, 0.1, 20);
        CheckRange(nameof(CourierSupplyFactor), CourierSupplyFactor, 0.05, 20);
        if (MinCouriersOnDuty < 1 || MinCouriersOnDuty > 100_000)
            throw Bad(nameof(MinCouriersOnDuty), MinCouriersOnDuty, "must be between 1 and 100,000");
        if (PromiseMinMinutes < 1 || PromiseMinMinutes > 1440)
            throw Bad(nameof(PromiseMinMinutes), PromiseMinMinutes, "must be between 1 and 1,440");
        if (PromiseMaxMinutes < PromiseMinMinutes || PromiseMaxMinutes > 1440)
            throw Bad(nameof(PromiseMaxMinutes), PromiseMaxMinutes, $"must be between PromiseMinMinutes ({PromiseMinMinutes}) and 1,440");
        if (PromiseSlackMinutes < 0 || PromiseSlackMinutes > 1440)
            throw Bad(nameof(PromiseSlackMinutes), PromiseSlackMinutes, "must be between 0 and 1,440");
    }

    private static void CheckRange(string name, double value, double min, double max)
    {
        if (!(value >= min && value <= max)) // also rejects NaN
            throw Bad(name, value, string.Create(CultureInfo.InvariantCulture, $"must be between {min} and {max}"));
    }

    private static ArgumentOutOfRangeException Bad(string name, object value, string rule) =>
        new(name, value, string.Create(CultureInfo.InvariantCulture, $"WaveOptions.{name} {rule}."));
}
