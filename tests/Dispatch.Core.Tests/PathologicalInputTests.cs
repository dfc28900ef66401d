using Dispatch.Assignment;

namespace Dispatch.Core.Tests;

/// <summary>Inputs a fuzzer found: absurd magnitudes must be refused at the edge, and the solver must survive non-finite costs.</summary>
public class PathologicalInputTests
{
    [Fact]
    public void The_solver_postpones_rows_whose_costs_are_infinite_or_nan_instead_of_failing()
    {
        var solver = new SparseAssignmentSolver();
        solver.Begin(3, 2, 6);
        solver.AddEdge(0, double.PositiveInfinity); solver.AddEdge(1, double.NaN); solver.EndRow(double.PositiveInfinity);
        solver.AddEdge(0, 5); solver.EndRow(double.NaN);
        solver.AddEdge(0, 1e308); solver.AddEdge(1, 7); solver.EndRow(1e300);
        double total = solver.Solve();
        var m = solver.RowMatch;
        Assert.Equal(0, m[1]);              // row 1 takes column 0 at 5
        Assert.Equal(1, m[2]);              // row 2 takes column 1 at 7
        Assert.True(m[0] >= solver.RealColumns, "row 0 is postponed");
        Assert.True(double.IsFinite(total));
    }

    [Theory]
    [InlineData(1e12, 0)]
    [InlineData(0, 2e9)]
    public void Absurd_times_are_refused_with_a_clear_error(double placed, double ready)
    {
        var e = new DispatchEngine<EuclideanCeilMinutes>(new EuclideanCeilMinutes(320));
        e.AddSite(1, 0, 0);
        var ex = Assert.Throws<DispatchException>(() => e.PlaceOrder(new OrderRequest(7, 1, 10, 10, placed, Math.Max(placed, ready)), 0));
        Assert.Equal(DispatchError.InvalidValue, ex.Error);
        Assert.Contains("order 7", ex.Message);
        Assert.Equal(0, e.Counts.Known);
        Assert.Throws<DispatchException>(() => { var sink = new NullSink(); e.Tick(5e9, ref sink); });
    }

    [Fact]
    public void Absurd_coordinates_are_refused_with_a_clear_error()
    {
        var e = new DispatchEngine<EuclideanCeilMinutes>(new EuclideanCeilMinutes(320));
        var ex = Assert.Throws<DispatchException>(() => e.AddSite(1, 1e300, 0));
        Assert.Contains("site 1", ex.Message);
        Assert.Throws<DispatchException>(() => e.CourierOnShift(new CourierShift(2, 0, -4e9, 0, 10), 0));
    }
}
