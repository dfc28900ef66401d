namespace Dispatch.Simulator.Tests.Evaluation;

/// <summary>
/// A small hand-made instance and a feasible solution worked out by hand, so that every metric
/// and every rule can be checked against numbers a reader can verify on paper.
/// </summary>
/// <remarks>
/// 100 metres per minute, 4 minutes pickup and drop-off service (2 + 2 around each stop).
/// c1: start (0,300) -> r1 at 2, arrives 5, picks up o1+o2 at 12 (o2 ready), leaves 14, o1 at 19,
///     drops 21, leaves 23, o2 at 28, drops 30, leaves 32 -> r2 (15 min) arrives 47, picks up o4
///     at 49, leaves 51, o4 at 61, drops 63.
/// c2: start (1000,200) -> r2 at 20, arrives 22, picks up o3 at 30 (ready), leaves 32, o3 at 38, drops 40.
/// c3 idles; o5 is never delivered.
/// </remarks>
internal static class EvaluationFixture
{
    public static MdrpParameters Parameters { get; } = new(100, 4, 4, 40, 90, 10, 15);

    public static MdrpInstance Instance(Action<MdrpOrder[]>? editOrders = null, Action<MdrpCourier[]>? editCouriers = null)
    {
        MdrpRestaurant[] restaurants = [new("r1", 0, 0), new("r2", 1000, 0)];
        MdrpOrder[] orders =
        [
            new("o1", 0, 500, 0, "r1", 10),
            new("o2", 0, 1000, 2, "r1", 12),
            new("o3", 1000, 600, 20, "r2", 30),
            new("o4", 1000, 1000, 15, "r2", 40),
            new("o5", 0, 2000, 100, "r1", 110),
        ];
        MdrpCourier[] couriers = [new("c1", 0, 300, 0, 120), new("c2", 1000, 200, 0, 60), new("c3", 0, 0, 0, 60)];
        editOrders?.Invoke(orders);
        editCouriers?.Invoke(couriers);
        return new MdrpInstance("hand-made", Parameters, restaurants, orders, couriers);
    }

    public static MdrpSolution FeasibleSolution()
    {
        var s = new MdrpSolution();
        s.Assignments.Add(new MdrpAssignmentRecord(2, 12, "c1", ["o1", "o2"]));
        s.Assignments.Add(new MdrpAssignmentRecord(20, 30, "c2", ["o3"]));
        s.Assignments.Add(new MdrpAssignmentRecord(32, 49, "c1", ["o4"]));

        s.Orders.Add(new MdrpOrderRecord("o1", 0, 10, 12, 21, "c1"));
        s.Orders.Add(new MdrpOrderRecord("o2", 2, 12, 12, 30, "c1"));
        s.Orders.Add(new MdrpOrderRecord("o3", 20, 30, 30, 40, "c2"));
        s.Orders.Add(new MdrpOrderRecord("o4", 15, 40, 49, 63, "c1"));

        // Couriers interleaved on purpose: execution order is per courier, not global.
        s.Moves.Add(new MdrpCourierMove("c1", 2, "0", "r1"));
        s.Moves.Add(new MdrpCourierMove("c1", 14, "r1", "o1"));
        s.Moves.Add(new MdrpCourierMove("c2", 20, "0", "r2"));
        s.Moves.Add(new MdrpCourierMove("c1", 23, "o1", "o2"));
        s.Moves.Add(new MdrpCourierMove("c2", 32, "r2", "o3"));
        s.Moves.Add(new MdrpCourierMove("c1", 32, "o2", "r2"));
        s.Moves.Add(new MdrpCourierMove("c1", 51, "r2", "o4"));
        return s;
    }

    /// <summary>Replaces the single element matching <paramref name="match"/> (fails loudly if there is not exactly one).</summary>
    public static void Replace<T>(List<T> list, Func<T, bool> match, Func<T, T> change)
    {
        int index = list.FindIndex(x => match(x));
        Assert.True(index >= 0 && list.FindLastIndex(x => match(x)) == index, "the fixture edit must match exactly one line");
        list[index] = change(list[index]);
    }

    /// <summary>Removes the single element matching <paramref name="match"/>.</summary>
    public static void Remove<T>(List<T> list, Func<T, bool> match)
    {
        int index = list.FindIndex(x => match(x));
        Assert.True(index >= 0 && list.FindLastIndex(x => match(x)) == index, "the fixture edit must match exactly one line");
        list.RemoveAt(index);
    }
}
