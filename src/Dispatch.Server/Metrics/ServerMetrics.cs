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
    private readonly Counter<long> _snapshotsDeferred, _segmentsCompacted;
    private readonly Histogram<double> _snapshotMs, _snapshotPauseMs;
    private long _snapshotsTotal, _snapshotFailuresTotal, _lastSnapshotRecords, _snapshotsDeferredTotal, _segmentsCompactedTotal;
    private long _snapshotBytes;
    private int _snapshotWrites;
    private double _lastSnapshotPauseMs, _maxSnapshotPauseMs;
    private readonly double[] _pauses = new double[PauseReservoir]; // the last PauseReservoir pauses, a ring
    private int _pauseCount;
    private readonly object _pauseLock = new();
    private Func<long> _journalBytes = () => 0;
    private long _framesInTotal, _framesOutTotal, _errorsTotal, _ticks, _backpressureTotal;
    private int _connections;
    private double _lastTickMs;
    private int _openOrders;
    private Func<int> _inboxDepth = () => 0;
    private readonly Counter<long> _tlsFailed, _authFailed, _forbidden, _rateLimited, _throttled, _revoked;
    private long _tlsFailedTotal, _authFailedTotal, _forbiddenTotal, _rateLimitedTotal, _throttledTotal, _revokedTotal;

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
        _snapshotMs = _meter.CreateHistogram<double>("dispatch.snapshot.duration", "ms", "Time the background writer took to write a snapshot file (journal fsync, file, fsyncs, rename)");
        _snapshotPauseMs = _meter.CreateHistogram<double>("dispatch.snapshot.pause", "ms", "Time the engine thread paused for a snapshot (segment roll and the copy of the state)");
        _snapshotsDeferred = _meter.CreateCounter<long>("dispatch.snapshots.deferred", "{snapshot}", "Snapshots that fell due while the previous one was still being written, and waited for it");
        _segmentsCompacted = _meter.CreateCounter<long>("dispatch.journal.segments.compacted", "{segment}", "Journal segments deleted or archived after a snapshot covered them");
        _tlsFailed = _meter.CreateCounter<long>("dispatch.tls.handshake.failed", "{connection}", "Connections dropped because the TLS handshake failed or timed out (plaintext or garbage to a TLS port, a client certificate from another CA)");
        _authFailed = _meter.CreateCounter<long>("dispatch.auth.failed", "{connection}", "Hellos refused with Unauthenticated (no, unknown, expired or revoked credential)");
        _revoked = _meter.CreateCounter<long>("dispatch.auth.revoked", "{connection}", "Live connections closed because their credential was revoked or expired");
        _forbidden = _meter.CreateCounter<long>("dispatch.forbidden", "{command}", "Commands refused with Forbidden (the role may not send them)");
        _rateLimited = _meter.CreateCounter<long>("dispatch.rate.limited", "{command}", "Commands refused with RateLimited (over the role's rate for too long, or its subscription limit)");
        _throttled = _meter.CreateCounter<long>("dispatch.rate.throttled", "{wait}", "Times a connection's read loop waited for its rate or in-flight limit");
        _meter.CreateObservableGauge("dispatch.journal.bytes", () => _journalBytes(), "By", "Bytes of the journal segments in the data directory");
        _meter.CreateObservableGauge("dispatch.snapshot.bytes", () => Interlocked.Read(ref _snapshotBytes), "By", "Bytes of the snapshot files in the data directory");
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

    /// <summary>Snapshot pauses kept for <see cref="SnapshotPauseP99Ms"/>: the most recent ones.</summary>
    public const int PauseReservoir = 256;

    /// <summary>Snapshots that fell due while the previous one was still being written (each waited, then was taken).</summary>
    public long SnapshotsDeferred => Interlocked.Read(ref _snapshotsDeferredTotal);

    /// <summary>Journal segments deleted (or archived) since start because a kept snapshot covered them.</summary>
    public long JournalSegmentsCompacted => Interlocked.Read(ref _segmentsCompactedTotal);

    /// <summary>Milliseconds the engine thread paused for the last snapshot (segment roll and the copy of the state; 0 before the first).</summary>
    public double LastSnapshotPauseMs => Volatile.Read(ref _lastSnapshotPauseMs);

    /// <summary>Longest engine-thread snapshot pause since start, in ms (0 before the first).</summary>
    public double SnapshotPauseMaxMs => Volatile.Read(ref _maxSnapshotPauseMs);

    /// <summary>99th percentile of the engine-thread snapshot pauses over the last <see cref="PauseReservoir"/> snapshots, in ms (nearest rank; 0 before the first).</summary>
    public double SnapshotPauseP99Ms
    {
        get
        {
            Span<double> sorted = stackalloc double[PauseReservoir];
            int n;
            lock (_pauseLock)
            {
                n = Math.Min(_pauseCount, PauseReservoir);
                _pauses.AsSpan(0, n).CopyTo(sorted);
            }
            if (n == 0) return 0;
            sorted = sorted[..n];
            sorted.Sort();
            return sorted[(int)Math.Ceiling(0.99 * n) - 1];
        }
    }

    /// <summary>Bytes of the journal segments in the data directory now.</summary>
    public long JournalBytesOnDisk => _journalBytes();

    /// <summary>Bytes of the snapshot files in the data directory, as of the last snapshot written (or the start).</summary>
    public long SnapshotBytesOnDisk => Interlocked.Read(ref _snapshotBytes);

    /// <summary>True while a snapshot is being written in the background (at most one is).</summary>
    public bool SnapshotWriteInFlight => Volatile.Read(ref _snapshotWrites) > 0;

    internal void SnapshotWriteStarted() => Interlocked.Increment(ref _snapshotWrites);

    internal void SnapshotWriteEnded() => Interlocked.Decrement(ref _snapshotWrites);

    internal void SnapshotPause(double ms)
    {
        Volatile.Write(ref _lastSnapshotPauseMs, ms);
        if (ms > _maxSnapshotPauseMs) Volatile.Write(ref _maxSnapshotPauseMs, ms); // written by the engine thread only
        lock (_pauseLock)
        {
            _pauses[_pauseCount % PauseReservoir] = ms;
            _pauseCount++;
        }
        _snapshotPauseMs.Record(ms);
    }

    internal void SnapshotDeferred()
    {
        Interlocked.Increment(ref _snapshotsDeferredTotal);
        _snapshotsDeferred.Add(1);
    }

    internal void SegmentsCompacted(int n)
    {
        Interlocked.Add(ref _segmentsCompactedTotal, n);
        _segmentsCompacted.Add(n);
    }

    internal void SetSnapshotBytes(long bytes) => Interlocked.Exchange(ref _snapshotBytes, bytes);

    internal void SetJournalBytesSource(Func<long> source) => _journalBytes = source;

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

    internal void TlsHandshakeFailed() { Interlocked.Increment(ref _tlsFailedTotal); _tlsFailed.Add(1); }

    internal void AuthFailed() { Interlocked.Increment(ref _authFailedTotal); _authFailed.Add(1); }

    internal void Revoked() { Interlocked.Increment(ref _revokedTotal); _revoked.Add(1); }

    internal void Forbidden() { Interlocked.Increment(ref _forbiddenTotal); _forbidden.Add(1); }

    internal void RateLimited() { Interlocked.Increment(ref _rateLimitedTotal); _rateLimited.Add(1); }

    internal void Throttled() { Interlocked.Increment(ref _throttledTotal); _throttled.Add(1); }

    /// <summary>TLS handshakes failed or timed out since start.</summary>
    public long TlsHandshakeFailures => Interlocked.Read(ref _tlsFailedTotal);

    /// <summary>Hellos refused for want of a valid credential since start.</summary>
    public long AuthFailures => Interlocked.Read(ref _authFailedTotal);

    /// <summary>Live connections closed on revocation or expiry since start.</summary>
    public long Revocations => Interlocked.Read(ref _revokedTotal);

    /// <summary>Commands refused with Forbidden since start.</summary>
    public long ForbiddenCommands => Interlocked.Read(ref _forbiddenTotal);

    /// <summary>Commands refused with RateLimited since start.</summary>
    public long RateLimitedCommands => Interlocked.Read(ref _rateLimitedTotal);

    /// <summary>Waits for a rate or in-flight limit since start.</summary>
    public long ThrottleWaits => Interlocked.Read(ref _throttledTotal);

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
