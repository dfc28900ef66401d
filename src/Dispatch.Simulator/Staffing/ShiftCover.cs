using Google.OrTools.Sat;

namespace Dispatch.Simulator.Staffing;

/// <summary>
/// The shift cover integer program, solved with OR-Tools CP-SAT: x[t, l] = couriers starting at slot t
/// with shift length l (slots), for every allowed start and length; every slot s keeps at least
/// required[s] couriers on duty (sum of x[t, l] with t &lt;= s &lt; t + l); each start's total lies in
/// [min, max] per start; minimise courier-slots (sum of l x[t, l]), then couriers (fewer, longer shifts
/// at equal hours). Courier-hours are what the MDRP guaranteed pay is charged on, so the least
/// courier-hours is the least guaranteed-pay bill too.
/// </summary>
public static class ShiftCover
{
    /// <summary>The cover's result: shifts per start slot and length (slots), and its courier-slots.</summary>
    public sealed record Solution(IReadOnlyList<(int StartSlot, int LengthSlots, int Count)> Shifts, long CourierSlots, bool Optimal);

    /// <summary>
    /// Solves the cover. Throws <see cref="ArgumentException"/> naming the slot when the requirement
    /// cannot be covered by the allowed starts and lengths.
    /// </summary>
    public static Solution Solve(IReadOnlyList<int> required, IReadOnlyList<int> lengthsInSlots, int earliestStartSlot, int latestStartSlot,
        int minPerStart, int maxPerStart, double timeLimitSeconds = 20)
    {
        ArgumentNullException.ThrowIfNull(required);
        ArgumentNullException.ThrowIfNull(lengthsInSlots);
        if (lengthsInSlots.Count == 0 || lengthsInSlots.Any(l => l < 1)) throw new ArgumentException("shift lengths must be at least one slot", nameof(lengthsInSlots));
        if (earliestStartSlot < 0 || latestStartSlot < earliestStartSlot)
            throw new ArgumentException($"start slots {earliestStartSlot}..{latestStartSlot} are empty", nameof(latestStartSlot));
        int maxLength = lengthsInSlots.Max();
        for (int s = 0; s < required.Count; s++)
        {
            if (required[s] < 0) throw new ArgumentException($"required[{s}] is negative ({required[s]})", nameof(required));
            if (required[s] == 0) continue;
            // Starts that can cover s: t in [s - maxLength + 1, s], clipped to the allowed starts.
            int lo = Math.Max(earliestStartSlot, s - maxLength + 1), hi = Math.Min(latestStartSlot, s);
            if (lo > hi)
                throw new ArgumentException($"slot {s} ({Reports.SvgCharts.Clock(s * DemandProfile.SlotMinutes)}) needs {required[s]} couriers but no allowed shift (starts {Reports.SvgCharts.Clock(earliestStartSlot * DemandProfile.SlotMinutes)}-{Reports.SvgCharts.Clock(latestStartSlot * DemandProfile.SlotMinutes)}, longest {maxLength * DemandProfile.SlotMinutes} min) is on duty then", nameof(required));
            if ((long)(hi - lo + 1) * maxPerStart < required[s])
                throw new ArgumentException($"slot {s} ({Reports.SvgCharts.Clock(s * DemandProfile.SlotMinutes)}) needs {required[s]} couriers but at most {maxPerStart} per start can be on duty there", nameof(required));
        }

        var model = new CpModel();
        var vars = new List<(int Start, int Length, IntVar X)>();
        for (int t = earliestStartSlot; t <= latestStartSlot; t++)
        {
            var atStart = new List<IntVar>();
            foreach (int l in lengthsInSlots.Distinct())
            {
                var x = model.NewIntVar(0, maxPerStart, $"x_{t}_{l}");
                vars.Add((t, l, x));
                atStart.Add(x);
            }
            var total = LinearExpr.Sum(atStart);
            model.AddLinearConstraint(total, minPerStart, maxPerStart);
        }
        for (int s = 0; s < required.Count; s++)
        {
            if (required[s] == 0) continue;
            var onDuty = vars.Where(v => v.Start <= s && s < v.Start + v.Length).Select(v => v.X).ToArray();
            model.Add(LinearExpr.Sum(onDuty) >= required[s]);
        }
        // Courier-slots first; the courier count breaks ties only: it is at most the courier-slots, so a
        // weight above that bound keeps the primary objective lexicographically first.
        long weight = (long)vars.Count * maxPerStart + 1;
        model.Minimize(LinearExpr.WeightedSum(vars.Select(v => v.X), vars.Select(v => v.Length * weight + 1L)));

        var solver = new CpSolver
        {
            // One worker: the same requirement always gives the same plan.
            StringParameters = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"num_workers:1,max_time_in_seconds:{timeLimitSeconds}"),
        };
        var status = solver.Solve(model);
        if (status is not (CpSolverStatus.Optimal or CpSolverStatus.Feasible))
            throw new ArgumentException($"the shift cover has no solution (CP-SAT status {status}); check min/max couriers per start", nameof(minPerStart));
        var shifts = new List<(int, int, int)>();
        long slots = 0;
        foreach (var (start, length, x) in vars)
        {
            int count = (int)solver.Value(x);
            if (count == 0) continue;
            shifts.Add((start, length, count));
            slots += (long)count * length;
        }
        return new Solution(shifts, slots, status == CpSolverStatus.Optimal);
    }
}
