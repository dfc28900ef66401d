namespace Dispatch.Simulator.Tests.LiLim;

public class BestKnownTests
{
    private static IReadOnlyDictionary<string, BestKnownSolution> Parse(string text) => BestKnown.Parse(new StringReader(text));

    [Fact]
    public void Reads_each_row_by_instance_name()
    {
        var best = Parse("instance,tasks,vehicles,distance\nlc101,100,10,828.9369\n\nlr1_2_1, 200, 20, 4819.12\n");

        Assert.Equal(2, best.Count);
        Assert.Equal(new BestKnownSolution(100, 10, 828.9369), best["lc101"]);
        Assert.Equal(new BestKnownSolution(200, 20, 4819.12), best["lr1_2_1"]);
    }

    [Theory]
    [InlineData("instance,vehicles,distance\n", "bks.csv line 1", "expected header")]
    [InlineData("", "bks.csv", "empty file")]
    [InlineData("instance,tasks,vehicles,distance\nlc101,100,10\n", "bks.csv line 2", "expected 4 fields")]
    [InlineData("instance,tasks,vehicles,distance\nlc101,100,ten,828.9\n", "bks.csv line 2", "vehicles 'ten' is not a positive integer")]
    [InlineData("instance,tasks,vehicles,distance\nlc101,100,10,-1\n", "bks.csv line 2", "distance '-1' is not a positive number")]
    [InlineData("instance,tasks,vehicles,distance\nlc101,100,10,NaN\n", "bks.csv line 2", "distance 'NaN' is not a positive number")]
    [InlineData("instance,tasks,vehicles,distance\n,100,10,828.9\n", "bks.csv line 2", "empty instance name")]
    [InlineData("instance,tasks,vehicles,distance\nlc101,100,10,828.9\nlc101,100,10,828.9\n", "bks.csv line 3", "lc101 is listed twice")]
    public void A_bad_row_is_refused_naming_the_line(string text, string line, string reason)
    {
        var e = Assert.Throws<InvalidDataException>(() => Parse(text));

        Assert.StartsWith(line, e.Message);
        Assert.Contains(reason, e.Message);
    }

    [Theory]
    [InlineData(828.9369, 828.9369, 0)]
    [InlineData(110, 100, 10)]
    [InlineData(95, 100, -5)]
    public void Gap_is_the_percentage_above_the_best_known(double distance, double best, double gap)
    {
        Assert.Equal(gap, BestKnown.GapPercent(distance, best), 1e-9);
    }

    [Fact]
    public void Gap_to_a_best_of_zero_is_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => BestKnown.GapPercent(10, 0));
    }
}
