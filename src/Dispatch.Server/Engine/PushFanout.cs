using Dispatch.Hosting;
using Dispatch.Protocol;
using Dispatch.Model;

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

    /// <param name="enqueue">Marks a target as having pending frames for the next release.</param>
    public PushFanout(Action<ReplyTarget> enqueue) => _enqueue = enqueue;

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
        if (_subscribers.Count == 0) return;
        _scratch.Reset();
        PushFrames.WriteAssignment(_scratch, a, stops);
        Broadcast();
    }

    public void PlanChange(in PlanChange change)
    {
        if (_subscribers.Count == 0) return;
        _scratch.Reset();
        PushFrames.WritePlanChange(_scratch, change);
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
