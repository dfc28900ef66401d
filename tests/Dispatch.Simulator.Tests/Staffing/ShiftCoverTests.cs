using Dispatch.Simulator.Staffing;

namespace Dispatch.Simulator.Tests.Staffing;

/// <summary>The CP-SAT shift cover against exhaustive enumeration on tiny requirements.</summary>
public class ShiftCoverTests
{
    /// <summary>
    /// The least courier-slots of any cover, by trying every count 0..max at every (start, length):
    /// (max + 1)^(starts x lengths) assignments, a few thousand here.
    /// </summary>
    private static long BruteForce(int[] required, int[] lengths, int earliest, int latest, int minPerStart, int maxPerStart)
    {
        var pairs = (from t in Enumerable.Range(earliest, latest - earliest + 1) from l in lengths select (Start: t, Length: l)).ToArray();
        var counts = new int[pairs.Length];
        long best = long.MaxValue;
        while (true)
        {
            bool ok = true;
            for (int t = earliest; t <= latest && ok; t++)
            {
                int atStart = 0;
                for (int i = 0; i < pairs.Length; i++) if (pairs[i].Start == t) atStart += counts[i];
                ok = atStart >= minPerStart && atStart <= maxPerStart;
            }
            for (int s = 0; s < required.Length && ok; s++)
            {
                int onDuty = 0;
                for (int i = 0; i < pairs.Length; i++) if (pairs[i].Start <= s && s < pairs[i].Start + pairs[i].Length) onDuty += counts[i];
                ok = onDuty >= required[s];
            }
            if (ok) best = Math.Min(best, pairs.Select((p, i) => (long)p.Length * counts[i]).Sum());
            int k = 0;
            while (k < counts.Length && counts[k] == maxPerStart) counts[k++] = 0;
            if (k == counts.Length) return best;
            counts[k]++;
        }
    }

    public static TheoryData<int[], int[], int, int, int, int> Cases => new()
    {
        // required per slot, lengths (slots), earliest, latest, min, max per start
        { [1, 2, 2, 1, 0, 1], [2, 3], 0, 4, 0, 3 },
        { [0, 3, 1, 3, 0, 0], [2, 4], 0, 3, 0, 3 },
        { [2, 2, 2, 2, 2, 2], [3], 0, 5, 0, 3 },
        { [1, 0, 0, 0, 0, 1], [2, 3], 0, 5, 0, 2 },
        { [1, 1, 3, 1, 1], [1, 2, 4], 0, 4, 0, 1 },
        { [0, 1, 0, 2, 0], [2], 0, 4, 1, 2 }, // at least one courier at every start
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Cover_is_as_cheap_as_the_exhaustive_optimum_and_covers_every_slot(int[] required, int[] lengths, int earliest, int latest, int minPerStart, int maxPerStart)
    {
        var solution = ShiftCover.Solve(required, lengths, earliest, latest, minPerStart, maxPerStart);
        Assert.True(solution.Optimal);
        Assert.Equal(BruteForce(required, lengths, earliest, latest, minPerStart, maxPerStart), solution.CourierSlots);
        for (int s = 0; s < required.Length; s++)
            Assert.True(solution.Shifts.Where(x => x.StartSlot <= s && s < x.StartSlot + x.LengthSlots).Sum(x => x.Count) >= required[s], $"slot {s}");
        Assert.All(solution.Shifts, x => Assert.InRange(x.StartSlot, earliest, latest));
        Assert.All(solution.Shifts, x => Assert.Contains(x.LengthSlots, lengths));
    }

    [Fact]
    public void Random_tiny_requirements_match_the_exhaustive_optimum()
    {
        var random = new Random(14);
        for (int trial = 0; trial < 12; trial++)
        {
            var required = Enumerable.Range(0, 6).Select(_ => random.Next(0, 3)).ToArray();
            var solution = ShiftCover.Solve(required, [2, 3], 0, 3, 0, 2);
            Assert.Equal(BruteForce(required, [2, 3], 0, 3, 0, 2), solution.CourierSlots);
        }
    }

    [Fact]
    public void A_slot_no_allowed_shift_reaches_is_named()
    {
        // Starts 0-1, longest shift 2 slots: slot 4 cannot be covered.
        var e = Assert.Throws<ArgumentException>(() => ShiftCover.Solve([1, 1, 0, 0, 1], [2], 0, 1, 0, 5));
        Assert.Contains("slot 4 (1:00) needs 1 couriers", e.Message);
        var tooFew = Assert.Throws<ArgumentException>(() => ShiftCover.Solve([5], [1], 0, 0, 0, 2));
        Assert.Contains("at most 2 per start", tooFew.Message);
    }
}
