using Dispatch.Protocol;
using Dispatch.Model;
using Dispatch.Server.LiveView;

namespace Dispatch.Server.Engine;

/// <summary>
/// Turns the engine's decisions into push frames for every subscribed connection. Each decision is
/// encoded once and the bytes appended to each subscriber's pending batch, so a hundred subscribers
/// cost one encode. Engine-thread only.
/// </summary>
internal sealed class PushFanout
{
    private readonly FrameBuffer _scratch = new(1024);
    private readonly List<ReplyTarget> _subscribers = new();
    private readonly Action<ReplyTarget> _enqueue;

    private readonly LiveSource? _live;

    /// <param name="enqueue">Marks a target as having pending frames for the next release.</param>
    /// <param name="live">The live view's feed (null: the HTTP port is off): it hears every decision pushed here, so the
    /// protocol's subscribers and the browsers see one stream of decisions.</param>
    public PushFanout(Action<ReplyTarget> enqueue, LiveSource? live = null)
    {
        _enqueue = enqueue;
        _live = live;
    }

    public long Assignments { get; private set; }

    public int SubscriberCount => _subscribers.Count;

    public void SetSubscribed(ReplyTarget target, bool on)
    {
        if (target.Subscribed == on) return;
        target.Subscribed = on;
        if (on) _subscribers.Add(target); else _subscribers.Remove(target);
    }

    public void Assignment(in AssignmentInfo a, ReadOnlySpan<PlannedStop> stops)
    {
        Assignments++;
        _live?.Assignment(a, stops);
        if (_subscribers.Count == 0) return;
        _scratch.Reset();
        var w = ReplyCodec.BeginAssignment(_scratch, a.CourierId, a.AssignedAt, a.IsUpdate, stops.Length);
        foreach (ref readonly var s in stops)
            ReplyCodec.WriteStop(ref w, (int)s.Kind, s.OrderId, s.SiteId, s.X, s.Y, s.Departure, s.Arrival, s.ServiceAt, s.Leave);
        ReplyCodec.EndPush(_scratch, ref w);
        Broadcast();
    }

    public void PlanChange(in PlanChange change)
    {
        _live?.PlanChange(change);
        if (_subscribers.Count == 0) return;
        _scratch.Reset();
        ReplyCodec.WritePlanChange(_scratch, (int)change.Kind, change.OrderId, change.CourierId, change.At, change.PreviousTime, change.NewTime, (int)change.Reason);
        Broadcast();
    }

    private void Broadcast()
    {
        var frame = _scratch.WrittenSpan;
        foreach (var t in _subscribers)
        {
            _enqueue(t);
            t.Pending.Append(frame);
            t.PendingFrames++;
        }
    }
}
