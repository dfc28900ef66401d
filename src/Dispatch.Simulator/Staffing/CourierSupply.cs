using Dispatch.Simulator.Mdrp;

namespace Dispatch.Simulator.Staffing;

/// <summary>
/// Turns couriers-per-slot into concrete MDRP couriers for a replay. Starting points are drawn, with a
/// fixed seed, from the recorded day's courier start points (its restaurants when it has no couriers),
/// so generated couriers appear where that city's couriers appear.
/// </summary>
public static class CourierSupply
{
    /// <summary>
    /// Couriers realising <paramref name="perSlot"/> exactly: courier level k is on duty over each maximal
    /// run of slots with at least k couriers (the fewest shift pieces with that on-duty count). Used
    /// while the requirement is searched, before shift lengths are imposed.
    /// </summary>
    public static MdrpCourier[] FromRequirement(MdrpInstance day, IReadOnlyList<int> perSlot, int seed)
    {
        ArgumentNullException.ThrowIfNull(perSlot);
        var pieces = new List<(int OnTime, int OffTime)>();
        int top = perSlot.Count == 0 ? 0 : perSlot.Max();
        for (int level = 1; level <= top; level++)
        {
            for (int s = 0; s < perSlot.Count; s++)
            {
                if (perSlot[s] < level) continue;
                int e = s;
                while (e < perSlot.Count && perSlot[e] >= level) e++;
                pieces.Add((s * DemandProfile.SlotMinutes, e * DemandProfile.SlotMinutes));
                s = e;
            }
        }
        return Place(day, pieces, seed);
    }

    /// <summary>Couriers of a shift plan: <see cref="PlannedShift.Count"/> couriers per shift.</summary>
    public static MdrpCourier[] FromShifts(MdrpInstance day, IEnumerable<PlannedShift> shifts, int seed)
    {
        ArgumentNullException.ThrowIfNull(shifts);
        var pieces = new List<(int OnTime, int OffTime)>();
        foreach (var shift in shifts.OrderBy(s => s.StartMinute).ThenBy(s => s.LengthMinutes))
            for (int i = 0; i < shift.Count; i++) pieces.Add((shift.StartMinute, shift.StartMinute + shift.LengthMinutes));
        return Place(day, pieces, seed);
    }

    /// <summary>Couriers on duty per slot (a courier counts in every slot its shift overlaps).</summary>
    public static int[] OnDutyPerSlot(IEnumerable<MdrpCourier> couriers, int slots)
    {
        ArgumentNullException.ThrowIfNull(couriers);
        var onDuty = new int[slots];
        foreach (var c in couriers)
        {
            int last = Math.Min(slots - 1, (c.OffTime - 1) / DemandProfile.SlotMinutes);
            for (int s = Math.Max(0, c.OnTime / DemandProfile.SlotMinutes); s <= last; s++) onDuty[s]++;
        }
        return onDuty;
    }

    /// <summary>The day with <paramref name="couriers"/> instead of its recorded couriers.</summary>
    public static MdrpInstance WithCouriers(MdrpInstance day, MdrpCourier[] couriers, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(day);
        return new MdrpInstance(name ?? day.Name, day.Parameters, day.Restaurants, day.Orders, couriers);
    }

    private static MdrpCourier[] Place(MdrpInstance day, List<(int OnTime, int OffTime)> pieces, int seed)
    {
        ArgumentNullException.ThrowIfNull(day);
        var points = day.Couriers.Length > 0
            ? day.Couriers.Select(c => (c.X, c.Y)).ToArray()
            : day.Restaurants.Select(r => (r.X, r.Y)).ToArray();
        if (points.Length == 0) throw new ArgumentException($"day '{day.Name}' has neither couriers nor restaurants to draw starting points from", nameof(day));
        var random = new Random(seed);
        var couriers = new MdrpCourier[pieces.Count];
        for (int i = 0; i < pieces.Count; i++)
        {
            var (x, y) = points[random.Next(points.Length)];
            couriers[i] = new MdrpCourier($"p{i + 1}", x, y, pieces[i].OnTime, pieces[i].OffTime);
        }
        return couriers;
    }
}
