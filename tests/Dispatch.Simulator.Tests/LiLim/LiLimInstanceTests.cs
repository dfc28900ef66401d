using static Dispatch.Simulator.Tests.LiLim.LiLimTestData;

namespace Dispatch.Simulator.Tests.LiLim;

public class LiLimInstanceTests
{
    private static LiLimInstance Parse(string text) => LiLimInstance.Parse("t", new StringReader(text));

    [Fact]
    public void Reads_the_tiny_instance()
    {
        var instance = TinyInstance();

        Assert.Equal(("tiny", 2, 7, 6, 3), (instance.Name, instance.Vehicles, instance.Capacity, instance.Tasks, instance.Requests));
        Assert.Equal(new LiLimNode(3, 0, 10, 4, 20, 40, 2, 0, 4), instance.Nodes[3]);
        Assert.Equal(new LiLimNode(6, -6, 8, -3, 0, 100, 10, 5, 0), instance.Nodes[6]);
        Assert.Equal(75, instance.Depot.Due);
    }

    [Theory]
    [InlineData("2 x 1\n0 0 0 0 0 9 0 0 0\n", "t line 1", "capacity 'x' is not an integer")]
    [InlineData("2 10 1\n0 0 0 0 0 9 0 0 0\n1 0 0 4 0 abc 1 0 2\n", "t line 3", "due 'abc' is not a number")]
    [InlineData("2 10 1\n0 0 0 0 0 9 0 0 0\n\n1 0 0 four 0 5 1 0 2\n", "t line 4", "demand 'four' is not an integer")]
    [InlineData("2 10 1\n0 0 0 0 0 9 0 0 0\n1 0 0 4 0 5 1 0\n", "t line 3", "expected 9 fields")]
    [InlineData("2 10 1\n0 0 0 0 0 9 0 0 0\n2 0 0 4 0 5 1 0 1\n", "t line 3", "node id 2 out of order")]
    [InlineData("2 10 1\n0 0 0 0 0 9 0 0 0\n1 0 0 4 7 5 1 0 2\n", "t line 3", "due 5 is before ready 7")]
    public void A_bad_field_is_named_with_its_line(string text, string line, string reason)
    {
        var e = Assert.Throws<InvalidDataException>(() => Parse(text));

        Assert.StartsWith(line + ": ", e.Message);
        Assert.Contains(reason, e.Message);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("0")]  // as in lc104 and nine other published files: not given
    [InlineData("")]
    public void Travel_time_is_distance_whatever_the_speed_field_says(string speed)
    {
        var instance = Parse($"2 10 {speed}\n0 0 0 0 0 9 0 0 0\n");

        Assert.Equal((2, 10, 0), (instance.Vehicles, instance.Capacity, instance.Tasks));
    }

    [Fact]
    public void A_speed_other_than_1_is_refused()
    {
        var e = Assert.Throws<InvalidDataException>(() => Parse("2 10 2\n0 0 0 0 0 9 0 0 0\n"));
        Assert.StartsWith("t line 1: speed 2 is not supported", e.Message);
    }

    // Both files start with the depot and the pair 1 -> 2; the line after them breaks the pairing.
    private const string DepotAndPair = "2 10 1\n0 0 0  0 0 9 0 0 0\n1 0 0  4 0 5 1 0 2\n2 0 0 -4 0 5 1 1 0\n";

    [Theory]
    // Delivery 3 also claims pickup 1.
    [InlineData(DepotAndPair + "3 0 0 -4 0 5 1 1 0\n", "t line 5: delivery 3 names pickup 1, which does not name it back")]
    // Pickup 3 names delivery 4, but delivery 4 names pickup 1.
    [InlineData(DepotAndPair + "3 0 0  4 0 5 1 0 4\n4 0 0 -4 0 5 1 1 0\n", "t line 5: pickup 3 names delivery 4, whose pickup is 1")]
    public void A_pickup_and_delivery_that_do_not_name_each_other_are_refused_with_the_line(string text, string message)
    {
        var e = Assert.Throws<InvalidDataException>(() => Parse(text));

        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void An_empty_file_is_refused()
    {
        var e = Assert.Throws<InvalidDataException>(() => Parse("\n \n"));
        Assert.Contains("empty file", e.Message);
    }
}
