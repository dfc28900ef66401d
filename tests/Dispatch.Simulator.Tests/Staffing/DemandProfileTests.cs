using Dispatch.Simulator.Mdrp;
using Dispatch.Simulator.Staffing;

namespace Dispatch.Simulator.Tests.Staffing;

/// <summary>The demand profile on a hand-made day whose slot counts can be checked by eye.</summary>
public class DemandProfileTests
{
    /// <summary>
    /// Two restaurants 10 km apart (two areas). Orders per 15-minute slot: slot 0: 1, slots 4-6: 6, 8, 6
    /// (a peak), slot 10: 1, slots 20-21: 9, 9 (a second peak), all at r1 except the second peak at r2.
    /// </summary>
    internal static MdrpInstance Day(string name = "hand-made", int copies = 1)
    {
        MdrpRestaurant[] restaurants = [new("r1", 0, 0), new("r2", 10_000, 0)];
        var orders = new List<MdrpOrder>();
        void Add(int slot, int count, string restaurant)
        {
            for (int c = 0; c < count * copies; c++)
            {
                int placed = slot * 15 + c % 15;
                orders.Add(new MdrpOrder($"o{orders.Count + 1}", restaurant == "r1" ? 500 : 10_500, 800, placed, restaurant, placed + 10));
            }
        }
        Add(0, 1, "r1");
        Add(4, 6, "r1");
        Add(5, 8, "r1");
        Add(6, 6, "r1");
        Add(10, 1, "r1");
        Add(20, 9, "r2");
        Add(21, 9, "r2");
        return new MdrpInstance(name, EvaluationParameters, restaurants, orders.ToArray(), [new MdrpCourier("c1", 0, 0, 0, 400)]);
    }

    private static MdrpParameters EvaluationParameters => MdrpParameters.Default;

    [Fact]
    public void Counts_orders_per_slot_and_per_area_and_finds_both_peaks()
    {
        var profile = DemandProfile.From([Day()], areas: 2);

        Assert.Equal(22, profile.Slots); // last placement in slot 21
        var expected = new double[22];
        expected[0] = 1; expected[4] = 6; expected[5] = 8; expected[6] = 6; expected[10] = 1; expected[20] = 9; expected[21] = 9;
        Assert.Equal(expected, profile.OrdersPerDay[0]);
        Assert.Equal(expected, profile.Mean);
        Assert.Equal(expected, profile.Forecast); // one day: the forecast is that day
        Assert.Equal(0, profile.TrendPerDay);

        Assert.Equal(2, profile.Areas.Count);
        var r1Area = profile.MeanPerArea[profile.Areas.NearestArea(0, 0)];
        var r2Area = profile.MeanPerArea[profile.Areas.NearestArea(10_000, 0)];
        Assert.Equal(22, r1Area.Sum());
        Assert.Equal(18, r2Area.Sum());
        Assert.Equal(9, r2Area[20]);

        // Mean slot over slots 0-21 = 40 / 22 = 1.82; the 3-slot mean is above it in slots 3-7 and 19-21.
        Assert.Equal([new DemandPeak(45, 120, 8, 20), new DemandPeak(285, 330, 9, 18)], profile.Peaks);
    }

    [Fact]
    public void Several_days_forecast_the_mean_profile_scaled_by_the_trend_of_day_totals()
    {
        // Day totals 40 and 80: the line through them gives 120 for the next day, the mean is 60: factor 2.
        var profile = DemandProfile.From([Day("d1"), Day("d2", copies: 2)], areas: 1);
        Assert.Equal(40, profile.TrendPerDay, 9);
        Assert.Equal(1.5 * 8, profile.Mean[5], 9);
        Assert.Equal(2 * 1.5 * 8, profile.Forecast[5], 9);
        Assert.Equal(120, profile.Forecast.Sum(), 9);
        Assert.Equal(["d1", "d2"], profile.Days);
    }

    [Fact]
    public void A_single_slot_burst_is_not_a_peak_and_an_empty_profile_has_none()
    {
        Assert.Empty(DemandProfile.FindPeaks([0, 0, 0]));
        var burst = new double[20];
        burst[10] = 30;
        // The only ordering slot is slot 10, so the threshold is 30; the 3-slot mean spreads the burst to 10 per slot.
        Assert.Empty(DemandProfile.FindPeaks(burst));
    }

    [Fact]
    public void Bad_input_names_the_problem()
    {
        Assert.Throws<ArgumentException>(() => DemandProfile.From([]));
        Assert.Throws<ArgumentOutOfRangeException>(() => DemandProfile.From([Day()], areas: 0));
        var empty = new MdrpInstance("empty", MdrpParameters.Default, [new MdrpRestaurant("r1", 0, 0)], [], []);
        Assert.Contains("'empty' has no orders", Assert.Throws<ArgumentException>(() => DemandProfile.From([empty])).Message);
    }
}
