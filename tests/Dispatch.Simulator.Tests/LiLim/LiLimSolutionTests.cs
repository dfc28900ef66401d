using FsCheck.Xunit;

namespace Dispatch.Simulator.Tests.LiLim;

public class LiLimSolutionTests
{
    private static readonly DateOnly Date = new(2026, 12, 1);

    private static string Write(LiLimSolution solution, string authors = "Dispatch", string reference = "Dispatch route optimizer, 10 s")
    {
        var text = new StringWriter();
        solution.Write(text, authors, reference, Date);
        return text.ToString();
    }

    private static LiLimSolution Parse(string text) => LiLimSolution.Parse(new StringReader(text));

    [Fact]
    public void Writes_the_benchmark_format_without_empty_routes()
    {
        var solution = new LiLimSolution("lc101", [[81, 78, 104], [], [57, 55]]);

        Assert.Equal("""
            Instance name : lc101
            Authors       : Dispatch
            Date          : 2026-12-01
            Reference     : Dispatch route optimizer, 10 s
            Solution
            Route 1 : 81 78 104
            Route 2 : 57 55

            """.ReplaceLineEndings("\n"), Write(solution));
    }

    [Fact]
    public void Write_then_parse_gives_the_same_routes()
    {
        var solution = new LiLimSolution("lr1_2_1", [[1, 2, 5, 6], [], [3, 4], [10]]);

        var back = Parse(Write(solution));

        Assert.Equal("lr1_2_1", back.InstanceName);
        Assert.Equal([[1, 2, 5, 6], [3, 4], [10]], back.Routes);
    }

    [Property(MaxTest = 200)]
    public void Write_then_parse_keeps_every_non_empty_route(int seed)
    {
        var rng = new Random(seed);
        var routes = Enumerable.Range(0, rng.Next(0, 8))
            .Select(_ => Enumerable.Range(0, rng.Next(0, 12)).Select(_ => rng.Next(-5, 1000)).ToArray())
            .ToArray();

        var back = Parse(Write(new LiLimSolution("x", routes)));

        Assert.Equal(routes.Where(r => r.Length > 0), back.Routes);
    }

    [Fact]
    public void Save_then_load_gives_the_same_routes()
    {
        string path = Path.Combine(Path.GetTempPath(), $"lilim-{Guid.NewGuid():N}", "lc101.sol");
        try
        {
            new LiLimSolution("lc101", [[1, 2], [3, 4]]).Save(path, "Dispatch", "test", Date);

            var back = LiLimSolution.Load(path);

            Assert.Equal("lc101", back.InstanceName);
            Assert.Equal([[1, 2], [3, 4]], back.Routes);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [Fact]
    public void Parse_is_tolerant_of_spacing_blank_lines_and_key_case()
    {
        var solution = Parse("""

            instance   name:lc101
            Authors: someone else
            Date : 1 Dec 2026
            Solution

            Route 1:1   2
              Route   2 :  3	4  
            """);

        Assert.Equal("lc101", solution.InstanceName);
        Assert.Equal([[1, 2], [3, 4]], solution.Routes);
    }

    [Theory]
    [InlineData("Instance name : a\nSolution\nRoute 1 : 1 x 3\n", "line 3", "node 'x' is not an integer")]
    [InlineData("Instance name : a\nSolution\nRoute 1 : 1 2.5\n", "line 3", "node '2.5' is not an integer")]
    [InlineData("Instance name : a\nAuthors : b\nRoute 1 : 1 2\n", "line 3", "route before the 'Solution' line")]
    [InlineData("Instance name : a\nAuthors : b\n", "solution:", "no 'Solution' line")]
    [InlineData("Authors : b\nSolution\nRoute 1 : 1 2\n", "line 2", "'Solution' before the 'Instance name :' line")]
    [InlineData("Instance name : a\nthis is not a header\nSolution\n", "line 2", "expected a header line")]
    [InlineData("Instance name : \nSolution\n", "line 1", "empty instance name")]
    [InlineData("Instance name : a\nSolution\nRoute 1 : 1 2\nRoute 3 : 3 4\n", "line 4", "expected Route 2, got Route 3")]
    [InlineData("Instance name : a\nSolution\nRoute one : 1 2\n", "line 3", "route number 'one' is not an integer")]
    [InlineData("Instance name : a\nSolution\n1 2 3\n", "line 3", "expected 'Route k : node node ...'")]
    [InlineData("Instance name : a\nSolution\nTour 1 : 1 2\n", "line 3", "expected 'Route k : node node ...'")]
    public void Parse_refuses_malformed_text_naming_the_line(string text, string line, string reason)
    {
        var e = Assert.Throws<InvalidDataException>(() => Parse(text));

        Assert.Contains(line, e.Message);
        Assert.Contains(reason, e.Message);
    }

    [Fact]
    public void Load_names_the_file_in_errors()
    {
        string path = Path.Combine(Path.GetTempPath(), $"lilim-{Guid.NewGuid():N}.sol");
        File.WriteAllText(path, "Instance name : a\nSolution\nRoute 1 : 1 ?\n");
        try
        {
            var e = Assert.Throws<InvalidDataException>(() => LiLimSolution.Load(path));
            Assert.StartsWith($"{path} line 3: ", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_header_value_with_a_line_break_is_refused()
    {
        var solution = new LiLimSolution("lc101", [[1, 2]]);

        Assert.Throws<ArgumentException>(() => Write(solution, reference: "two\nlines"));
        Assert.Throws<ArgumentException>(() => new LiLimSolution("lc\n101", [[1, 2]]));
    }
}
