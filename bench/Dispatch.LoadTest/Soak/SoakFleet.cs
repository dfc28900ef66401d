using Dispatch.Client.Following;
using Dispatch.Protocol;

namespace Dispatch.LoadTest.Soak;

/// <summary>
/// The simulated world of one soak day on the driver's side: customers placing and cancelling orders,
/// couriers coming on shift at their start and going off once their shift is over and nothing is left on
/// board, and couriers that follow the pushed plans exactly (an MDRP fleet, the client library's
/// <see cref="PlanFollower"/>): every pickup and drop-off of an Assignment push is confirmed at its planned service
/// time (<c>serviceAt</c>, or the EtaChanged push's new time), once the engine clock has reached it; a released or
/// cancelled order's queued stops are dropped. Single-threaded: the driver feeds it the
/// replies and pushes it drained, then asks it for the minute's events. Couriers reach their shift end without a
/// command (the engine takes them off shift then); one in ten asks to stop early and is sent off shift (CourierOffShift)
/// as soon as it has nothing planned.
/// </summary>
internal sealed class SoakFleet
{
    /// <summary>Per-order flags.</summary>
    [Flags]
    public enum OrderFlags : byte
    {
        None = 0,
        Sent = 1,
        Acked = 2,
        PickupSent = 4,
        DropSent = 8,
        DropAcked = 16,
        CancelSent = 32,
        CancelAcked = 64,
        Refused = 128,
    }

    private readonly SoakDay _day;
    private readonly SoakErrors _errors;
    private readonly PlanFollower _plans = new();
    private readonly byte[] _courierState;        // 0 not on shift yet, 1 on shift, 2 sent off shift
    private readonly int[] _byCancel, _byLeave;   // order indexes by cancellation minute, early leavers by the minute they ask to stop
    private readonly List<int> _leaving = new();  // couriers who asked to stop, waiting for their last drop-off
    private int _nextOrder, _nextCourier, _nextCancel, _nextLeave;

    public SoakFleet(SoakDay day, SoakErrors errors)
    {
        _day = day;
        _errors = errors;
        Flags = new OrderFlags[day.Orders];
        _courierState = new byte[day.Couriers];
        _byCancel = Enumerable.Range(0, day.Orders).Where(i => day.CancelAt[i] >= 0).OrderBy(i => day.CancelAt[i]).ToArray();
        _byLeave = Enumerable.Range(0, day.Couriers).Where(k => day.LeaveAt[k] >= 0).OrderBy(k => day.LeaveAt[k]).ToArray();
    }

    public OrderFlags[] Flags { get; }

    public int Placed { get; private set; }

    /// <summary>The most orders acknowledged and not yet delivered or cancelled at once over the day: the open work the
    /// engine's stores had to hold at the peak (their high-water marks follow it).</summary>
    public int PeakOpen { get; private set; }

    private int _open;
    public int Acked { get; private set; }
    public int Refused { get; private set; }
    public int Delivered { get; private set; }
    public int CancelledByCustomer { get; private set; }
    public int CancelledAtClose { get; private set; }
    public int Assignments { get; private set; }
    public int Released { get; private set; }
    public int CouriersOn { get; private set; }
    public int CouriersOff { get; private set; }
    public int LeftAtShiftEnd { get; private set; }

    /// <summary>Orders acknowledged and not yet finished (delivered or cancelled) by an acknowledged command.</summary>
    public int Unfinished => Flags.Count(f => (f & OrderFlags.Acked) != 0 && (f & (OrderFlags.DropAcked | OrderFlags.CancelAcked)) == 0);

    /// <summary>A reply or push, in wire order.</summary>
    public void Handle(in Incoming item)
    {
        switch (item.Message)
        {
            case AssignmentMessage a: OnAssignment(a); return;
            case PlanChangeMessage p: OnPlanChange(p); return;
            case ErrorMessage e:
                _errors.Add(item.Asked, e);
                if (item.Asked == MessageType.PlaceOrder && Index(item.Ref) is int refused) { Flags[refused] |= OrderFlags.Refused; Refused++; }
                return;
            case AckMessage:
                if (Index(item.Ref) is not int i) return;
                switch (item.Asked)
                {
                    case MessageType.PlaceOrder:
                        Flags[i] |= OrderFlags.Acked; Acked++;
                        if (++_open > PeakOpen) PeakOpen = _open;
                        break;
                    case MessageType.ConfirmDropoff: Flags[i] |= OrderFlags.DropAcked; Delivered++; _open--; break;
                    case MessageType.CancelOrder: Flags[i] |= OrderFlags.CancelAcked; _open--; break;
                }
                return;
        }
    }

    /// <summary>
    /// The events of minute <paramref name="minute"/> of the day (engine time <paramref name="now"/>, the last tick's):
    /// confirmations that fell due, customer cancellations, couriers coming on and going off shift, new orders.
    /// <paramref name="closeSweepMinute"/>: orders still not picked up then are cancelled (no courier can take them any more).
    /// </summary>
    public void AddEvents(SoakConnection c, int minute, double now, int closeSweepMinute)
    {
        // 1. Couriers follow their plans: every stop due by now, at its planned time (only today's orders are followed).
        while (_plans.TryTakeDue(now, out var stop))
        {
            var (_, i) = SoakDay.OfOrder(stop.OrderId);
            if (stop.Kind == WireStopKind.Dropoff)
            {
                c.Add(Command.ConfirmDropoff(0, stop.OrderId, stop.At), stop.OrderId);
                Flags[i] |= OrderFlags.DropSent;
            }
            else
            {
                c.Add(Command.ConfirmPickup(0, stop.OrderId, stop.At), stop.OrderId);
                Flags[i] |= OrderFlags.PickupSent;
            }
        }

        // 2. Customers cancel a few minutes after ordering, unless the food is already on its way.
        for (; _nextCancel < _byCancel.Length && _day.CancelAt[_byCancel[_nextCancel]] <= minute; _nextCancel++)
            if (Cancel(c, _byCancel[_nextCancel])) CancelledByCustomer++;
        // At the sweep, orders no courier collected (placed too late for the last shifts) are cancelled by the platform.
        if (minute == closeSweepMinute)
            for (int i = 0; i < Flags.Length; i++)
                if (Cancel(c, i)) CancelledAtClose++;

        // 3. Couriers whose shift starts now; those whose shift is over and who carry nothing go off shift.
        for (; _nextCourier < _day.Couriers && _day.On[_nextCourier] <= minute; _nextCourier++)
        {
            int k = _nextCourier;
            c.Add(Command.CourierOnShift(0, _day.CourierId(k), _day.CourierX[k], _day.CourierY[k], now, _day.Start + _day.Off[k]), _day.CourierId(k));
            _courierState[k] = 1;
            CouriersOn++;
        }
        // A courier stopping early goes off shift once it has nothing planned (at its shift end the engine takes it off by itself).
        for (; _nextLeave < _byLeave.Length && _day.LeaveAt[_byLeave[_nextLeave]] <= minute; _nextLeave++)
            if (_courierState[_byLeave[_nextLeave]] == 1) _leaving.Add(_byLeave[_nextLeave]);
        for (int j = _leaving.Count - 1; j >= 0; j--)
        {
            int k = _leaving[j];
            int planned = _plans.PlannedOrders(_day.CourierId(k));
            if (planned > 0 && minute < _day.Off[k] - 1) continue;
            if (planned == 0 && minute < _day.Off[k] - 1)
            {
                c.Add(Command.CourierOffShift(0, _day.CourierId(k)), _day.CourierId(k));
                _courierState[k] = 2;
                CouriersOff++;
            }
            else
            {
                LeftAtShiftEnd++; // busy until its shift was over anyway
            }
            _leaving[j] = _leaving[^1];
            _leaving.RemoveAt(_leaving.Count - 1);
        }

        // 4. New orders.
        for (; _nextOrder < _day.Orders && _day.Placed[_nextOrder] <= minute; _nextOrder++)
        {
            int i = _nextOrder;
            c.Add(Command.PlaceOrder(0, _day.OrderId(i), _day.Site[i], _day.X[i], _day.Y[i], now, _day.Start + _day.Ready[i]), _day.OrderId(i));
            Flags[i] |= OrderFlags.Sent;
            Placed++;
        }
    }

    /// <summary>Cancels an acknowledged order that is not picked up, not finished and not cancelled yet; false otherwise.</summary>
    private bool Cancel(SoakConnection c, int i)
    {
        var f = Flags[i];
        if ((f & OrderFlags.Acked) == 0 || (f & (OrderFlags.PickupSent | OrderFlags.DropSent | OrderFlags.CancelSent)) != 0) return false;
        c.Add(Command.CancelOrder(0, _day.OrderId(i)), _day.OrderId(i));
        Flags[i] |= OrderFlags.CancelSent;
        _plans.Forget(_day.OrderId(i));
        return true;
    }

    private void OnAssignment(AssignmentMessage a)
    {
        Assignments++;
        var (day, k) = SoakDay.OfCourier(a.CourierId);
        if (day != _day.Day || (uint)k >= (uint)_day.Couriers) return;
        foreach (var s in a.Stops)
            if (Index(s.OrderId) is int) _plans.Follow(a.CourierId, s);
    }

    private void OnPlanChange(PlanChangeMessage p)
    {
        if (Index(p.OrderId) is null) return;
        switch (p.Kind)
        {
            case WirePlanChangeKind.Released:
                Released++;
                _plans.Release(p.OrderId, p.CourierId);
                break;
            case WirePlanChangeKind.EtaChanged:
                _plans.Retime(p.OrderId, p.NewTime);
                break;
        }
    }

    private int? Index(long orderId)
    {
        var (day, i) = SoakDay.OfOrder(orderId);
        return day == _day.Day && (uint)i < (uint)_day.Orders ? i : null;
    }
}

/// <summary>Refusals by request type and code, with the first few messages.</summary>
internal sealed class SoakErrors
{
    private readonly Dictionary<(MessageType, ErrorCode), long> _counts = new();
    private readonly List<string> _samples = new();

    public long Total { get; private set; }

    public void Add(MessageType asked, ErrorMessage e)
    {
        Total++;
        _counts[(asked, e.Code)] = _counts.GetValueOrDefault((asked, e.Code)) + 1;
        if (_samples.Count < 10) _samples.Add($"{asked}: {e.Code}: {e.Message}");
    }

    public IEnumerable<string> Summary() =>
        _counts.OrderByDescending(p => p.Value).Select(p => $"{p.Key.Item1} {p.Key.Item2} x{p.Value}").Concat(_samples.Select(s => "e.g. " + s));
}
