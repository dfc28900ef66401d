using Dispatch.Simulator.Evaluation;
using Dispatch.Simulator.Mdrp;

namespace Dispatch.Simulator.Staffing;

/// <summary>
/// The service one replayed day gave: on-time share over all orders (undelivered = late), mean
/// click-to-door over delivered orders, and the same split by the slot an order was ready in (where a
/// courier had to be free for it) and by the hour it was placed (for reports).
/// </summary>
public sealed record DayService
{
    public required string Day { get; init; }

    public required int Orders { get; init; }

    public required int Delivered { get; init; }

    /// <summary>Orders delivered within the target click-to-door of placement, over all orders.</summary>
    public required double OnTimeShare { get; init; }

    /// <summary>Mean click-to-door of delivered orders, minutes.</summary>
    public required double ClickToDoorMean { get; init; }

    /// <summary>Shift hours of the day's couriers.</summary>
    public required double CourierHours { get; init; }

    /// <summary>Orders per ready-time slot.</summary>
    public required int[] OrdersByReadySlot { get; init; }

    /// <summary>
    /// Late or undelivered orders per ready-time slot that could have been on time: their lower bound
    /// (<see cref="Evaluation.EvaluationMetrics.OrderLowerBound"/>) is within the target. Couriers can only help these.
    /// </summary>
    public required int[] AvoidableLateByReadySlot { get; init; }

    /// <summary>Orders whose lower bound is past the target: late whatever the staffing.</summary>
    public required int InherentlyLate { get; init; }

    /// <summary>Sum over orders of click-to-door minus the order's lower bound, per ready-time slot (undelivered: the maximum click-to-door).</summary>
    public required double[] GapToLowerBoundByReadySlot { get; init; }

    /// <summary>Mean lower bound of click-to-door over the day's orders.</summary>
    public required double LowerBoundMean { get; init; }

    /// <summary>Orders per placement hour.</summary>
    public required int[] OrdersByHour { get; init; }

    /// <summary>On-time orders per placement hour.</summary>
    public required int[] OnTimeByHour { get; init; }

    /// <summary>Measures <paramref name="solution"/> of <paramref name="day"/> over <paramref name="slots"/> slots (later ready times count in the last slot).</summary>
    public static DayService Measure(MdrpInstance day, MdrpSolution solution, int slots)
    {
        ArgumentNullException.ThrowIfNull(day);
        ArgumentNullException.ThrowIfNull(solution);
        var dropoff = new Dictionary<string, double>(solution.Orders.Count, StringComparer.Ordinal);
        foreach (var line in solution.Orders)
            if (line.Order is not null) dropoff.TryAdd(line.Order, line.DropoffTime);
        double target = day.Parameters.TargetClickToDoor;
        int hours = day.Orders.Length == 0 ? 1 : day.Orders.Max(o => o.PlacementTime) / 60 + 1;
        var ordersBySlot = new int[slots];
        var lateBySlot = new int[slots];
        var gapBySlot = new double[slots];
        int inherentlyLate = 0;
        double boundSum = 0;
        var ordersByHour = new int[hours];
        var onTimeByHour = new int[hours];
        int delivered = 0, onTime = 0;
        double c2dSum = 0;
        foreach (var o in day.Orders)
        {
            int s = Math.Min(slots - 1, o.ReadyTime / DemandProfile.SlotMinutes);
            double bound = EvaluationMetrics.OrderLowerBound(day, o);
            boundSum += bound;
            bool avoidable = bound <= target;
            if (!avoidable) inherentlyLate++;
            ordersBySlot[s]++;
            ordersByHour[o.PlacementTime / 60]++;
            if (dropoff.TryGetValue(o.Id, out double at))
            {
                double c2d = at - o.PlacementTime;
                delivered++;
                c2dSum += c2d;
                gapBySlot[s] += c2d - bound;
                if (c2d <= target)
                {
                    onTime++;
                    onTimeByHour[o.PlacementTime / 60]++;
                    continue;
                }
            }
            else gapBySlot[s] += day.Parameters.MaxClickToDoor - bound;
            if (avoidable) lateBySlot[s]++;
        }
        return new DayService
        {
            Day = day.Name,
            Orders = day.Orders.Length,
            Delivered = delivered,
            OnTimeShare = day.Orders.Length == 0 ? 1 : (double)onTime / day.Orders.Length,
            ClickToDoorMean = delivered == 0 ? 0 : c2dSum / delivered,
            CourierHours = day.Couriers.Sum(c => (c.OffTime - c.OnTime) / 60.0),
            OrdersByReadySlot = ordersBySlot,
            AvoidableLateByReadySlot = lateBySlot,
            InherentlyLate = inherentlyLate,
            GapToLowerBoundByReadySlot = gapBySlot,
            LowerBoundMean = day.Orders.Length == 0 ? 0 : boundSum / day.Orders.Length,
            OrdersByHour = ordersByHour,
            OnTimeByHour = onTimeByHour,
        };
    }
}
