using System.Diagnostics.Metrics;

namespace Dispatch.Server.Metrics;

/// <summary>
/// The server's instruments, on a System.Diagnostics.Metrics meter named "Dispatch.Server" (read them
/// with dotnet-counters, OpenTelemetry or a MeterListener), plus plain totals for the Metrics reply.
/// Counters are updated with Interlocked from the connection threads; gauges are sampled on demand.
/// </summary>
public sealed class ServerMetrics : IDisposable
{
    /// <summary>Meter name.</summary>
    public const string MeterName = "Dispatch.Server";

    private readonly Meter _meter;
    private readonly Counter<long> _framesIn, _framesOut, _errors, _backpressure;
    private readonly Histogram<double> _tickMs;
    private readonly Counter<long> _snapshots, _snapshotFailures;
    private readonly Histogram<double> _snapshotMs;
    private long _snapshotsTotal, _snapshotFailuresTotal, _lastSnapshotRecords;
    private long _framesInTotal, _framesOutTotal, _errorsTotal, _ticks, _backpressureTotal;
    private int _connections;
    private double _lastTickMs;
    private int _openOrders;
    private Func<int> _inboxDepth = () => 0;
    private readonly double[] _pauses = new double[4096]; // the latest snapshot pauses (a ring), for the p99
    private long _pauseCount;
    private double _lastPauseMs = double.NaN, _maxPauseMs = double.NaN;
    private long _journalBytesOnDisk, _snapshotBytesOnDisk;

    /// <summary>Creates the instruments.</summary>
    public ServerMetrics()
    {
        _meter = new Meter(MeterName);
        _framesIn = _meter.CreateCounter<long>("dispatch.frames.in", "{frame}", "Frames received");
        _framesOut = _meter.CreateCounter<long>("dispatch.frames.out", "{frame}", "Frames sent (replies and pushes)");
        _errors = _meter.CreateCounter<long>("dispatch.errors", "{frame}", "Error replies sent");
        _backpressure = _meter.CreateCounter<long>("dispatch.backpressure", "{wait}", "Times a connection paused reading because the engine inbox was full");
        _tickMs = _meter.CreateHistogram<double>("dispatch.tick.duration", "ms", "Engine tick duration");
        _snapshots = _meter.CreateCounter<long>("dispatch.snapshots", "{snapshot}", "Engine snapshots written");
        _snapshotFailures = _meter.CreateCounter<long>("dispatch.snapshots.failed", "{snapshot}", "Engine snapshots that could not be written (the journal still holds everything)");
        _snapshotMs = _meter.CreateHistogram<double>("dispatch.snapshot.duration", "ms", "Time the engine thread spent writing a snapshot");
        _meter.CreateObservableGauge("dispatch.inbox.depth", () => _inboxDepth(), "{command}", "Commands waiting for the engine thread");
        _meter.CreateObservableGauge("dispatch.connections", () => Volatile.Read(ref _connections), "{connection}", "Open connections");
        _meter.CreateObservableGauge("dispatch.orders.open", () => Volatile.Read(ref _openOrders), "{order}", "Orders not yet committed to a courier");
    }

    internal long FramesIn => Interlocked.Read(ref _framesInTotal);
    internal long FramesOut => Interlocked.Read(ref _framesOutTotal);
    internal long Errors => Interlocked.Read(ref _errorsTotal);
    internal long Ticks => Interlocked.Read(ref _ticks);
    internal long Backpressure => Interlocked.Read(ref _backpressureTotal);
    internal int Connections => Volatile.Read(ref _connections);
    internal double LastTickMs => Volatile.Read(ref _lastTickMs);
    internal int OpenOrders => Volatile.Read(ref _openOrders);
    internal int InboxDepth => _inboxDepth();

    /// <summary>Snapshots written since start.</summary>
    public long SnapshotsWritten => Interlocked.Read(ref _snapshotsTotal);

    /// <summary>Snapshots that failed since start.</summary>
    public long SnapshotFailures => Interlocked.Read(ref _snapshotFailuresTotal);

    /// <summary>Journal records the last snapshot written since start covers (0 before the first).</summary>
    public long LastSnapshotRecords => Interlocked.Read(ref _lastSnapshotRecords);

    /// <summary>Engine-thread time of the last snapshot in milliseconds (NaN before the first).</summary>
    public double LastSnapshotPauseMs => Volatile.Read(ref _lastPauseMs);

    /// <summary>Longest engine-thread snapshot pause since start in milliseconds (NaN before the first).</summary>
    public double SnapshotPauseMaxMs => Volatile.Read(ref _maxPauseMs);

    /// <summary>99th percentile (nearest rank) of the engine-thread snapshot pauses since start (the latest 4,096), milliseconds; NaN before the first.</summary>
    public double SnapshotPauseP99Ms
    {
        get
        {
            double[] kept;
            lock (_pauses) kept = _pauses.AsSpan(0, (int)Math.Min(_pauseCount, _pauses.Length)).ToArray();
            if (kept.Length == 0) return double.NaN;
            Array.Sort(kept);
            return kept[(int)Math.Ceiling(0.99 * kept.Length) - 1];
        }
    }

    /// <summary>Bytes of the journal files in the data directory, as last measured.</summary>
    public long JournalBytesOnDisk => Interlocked.Read(ref _journalBytesOnDisk);

    /// <summary>Bytes of the snapshot files in the data directory, as last measured.</summary>
    public long SnapshotBytesOnDisk => Interlocked.Read(ref _snapshotBytesOnDisk);

    /// <summary>The engine thread spent <paramref name="ms"/> on a snapshot (the journal fsync before it included).</summary>
    internal void SnapshotPause(double ms)
    {
        lock (_pauses) _pauses[_pauseCount++ % _pauses.Length] = ms;
        Volatile.Write(ref _lastPauseMs, ms);
        if (!(ms <= _maxPauseMs)) Volatile.Write(ref _maxPauseMs, ms);
    }

    internal void SetBytesOnDisk(long journal, long snapshots)
    {
        Interlocked.Exchange(ref _journalBytesOnDisk, journal);
        Interlocked.Exchange(ref _snapshotBytesOnDisk, snapshots);
    }

    internal void SnapshotWritten(long journalRecords, double ms)
    {
        Interlocked.Increment(ref _snapshotsTotal);
        Interlocked.Exchange(ref _lastSnapshotRecords, journalRecords);
        _snapshots.Add(1);
        _snapshotMs.Record(ms);
    }

    internal void SnapshotFailed()
    {
        Interlocked.Increment(ref _snapshotFailuresTotal);
        _snapshotFailures.Add(1);
    }

    internal void SetInboxDepthSource(Func<int> source) => _inboxDepth = source;

    internal void FrameIn() { Interlocked.Increment(ref _framesInTotal); _framesIn.Add(1); }

    internal void FramesOutAdd(int n) { Interlocked.Add(ref _framesOutTotal, n); _framesOut.Add(n); }

    internal void Error() { Interlocked.Increment(ref _errorsTotal); _errors.Add(1); }

    internal void BackpressureWait() { Interlocked.Increment(ref _backpressureTotal); _backpressure.Add(1); }

    internal void ConnectionOpened() => Interlocked.Increment(ref _connections);

    internal void ConnectionClosed() => Interlocked.Decrement(ref _connections);

    internal void Tick(double ms)
    {
        Interlocked.Increment(ref _ticks);
        Volatile.Write(ref _lastTickMs, ms);
        _tickMs.Record(ms);
    }

    internal void SetOpenOrders(int open) => Volatile.Write(ref _openOrders, open);

    /// <inheritdoc />
    public void Dispose() => _meter.Dispose();
}
