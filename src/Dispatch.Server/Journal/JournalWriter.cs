using System.Buffers.Binary;
using System.Diagnostics;
using Dispatch.Protocol;
using MessagePack;

namespace Dispatch.Server.Journal;

/// <summary>
/// Appends accepted commands to the journal with group commit: the engine thread appends every
/// command of a batch to an in-memory buffer, then <see cref="Commit"/> writes the batch in one
/// write call (and fsyncs by policy) before any of its acknowledgements leave. One writer, owned by
/// the engine thread; not thread-safe.
/// </summary>
internal sealed class JournalWriter : IDisposable
{
    private readonly FileStream _file;
    private readonly FsyncPolicy _policy;
    private readonly long _fsyncIntervalTicks;
    private readonly FrameBuffer _batch = new(64 * 1024);
    private readonly FrameBuffer _payload = new(256);
    private readonly Microsoft.Win32.SafeHandles.SafeFileHandle _handle; // taken once: the getter touches the stream's position
    private long _lastFsync;
    private bool _unsynced;

    /// <summary>Opens (or creates) the journal, cutting it to <paramref name="goodLength"/> when recovery found a bad tail.</summary>
    public JournalWriter(string path, long goodLength, long epochUnixMs, long records, FsyncPolicy policy, TimeSpan fsyncInterval, uint lastRecordCrc = 0)
    {
        _policy = policy;
        _fsyncIntervalTicks = (long)(fsyncInterval.TotalSeconds * Stopwatch.Frequency);
        // bufferSize 0: the batch buffer is our buffer; a FileStream buffer would only add a copy.
        _file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read, bufferSize: 0);
        EpochUnixMs = epochUnixMs;
        if (goodLength < JournalFormat.HeaderBytes)
        {
            _file.SetLength(0);
            Span<byte> header = stackalloc byte[JournalFormat.HeaderBytes];
            JournalFormat.WriteHeader(header, epochUnixMs);
            _file.Write(header);
            _file.Flush(flushToDisk: true);
            goodLength = JournalFormat.HeaderBytes;
            records = 0;
            lastRecordCrc = 0;
        }
        else if (_file.Length != goodLength)
        {
            // Recovery found a torn or corrupt tail: cut it so new records follow the last good one.
            _file.SetLength(goodLength);
            _file.Flush(flushToDisk: true);
        }
        _file.Seek(goodLength, SeekOrigin.Begin);
        _handle = _file.SafeFileHandle;
        Bytes = goodLength;
        Records = records;
        LastRecordCrc = lastRecordCrc;
        _lastFsync = Stopwatch.GetTimestamp();
    }

    /// <summary>The clock epoch recorded in the header.</summary>
    public long EpochUnixMs { get; }

    /// <summary>Records in the file, including uncommitted ones.</summary>
    public long Records { get; private set; }

    /// <summary>Bytes in the file after the next commit.</summary>
    public long Bytes { get; private set; }

    /// <summary>CRC of the last record appended (0 when there is none): a snapshot names the record it ends at with it.</summary>
    public uint LastRecordCrc { get; private set; }

    /// <summary>True when appended records wait for <see cref="Commit"/>.</summary>
    public bool HasPending => _batch.Length > 0;

    /// <summary>Adds an accepted command (with the engine time it was applied at) to the current batch.</summary>
    public void Append(double now, in Command command)
    {
        _payload.Reset();
        var w = new MessagePackWriter(_payload);
        w.Write(now);
        CommandCodec.Write(ref w, command);
        w.Flush();
        var payload = _payload.WrittenSpan;

        Span<byte> header = stackalloc byte[JournalFormat.RecordHeaderBytes];
        BinaryPrimitives.WriteUInt32LittleEndian(header, (uint)payload.Length);
        uint crc = Crc32.Compute(payload);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], crc);
        _batch.Append(header);
        _batch.Append(payload);
        LastRecordCrc = crc;
        Records++;
        Bytes += header.Length + payload.Length;
    }

    /// <summary>The fsync policy this journal was opened with.</summary>
    public FsyncPolicy Policy => _policy;

    /// <summary>Counts the batches written to the OS (read by the group-commit syncer to skip needless fsyncs).</summary>
    public long WriteSequence => Volatile.Read(ref _writeSequence);

    private long _writeSequence;

    /// <summary>Writes the batch to the OS without any fsync (the caller syncs: <see cref="GroupCommitSyncer"/>).</summary>
    public void WriteToOs()
    {
        if (_batch.Length == 0) return;
        _file.Write(_batch.WrittenSpan);
        _batch.Reset();
        _unsynced = true;
        Volatile.Write(ref _writeSequence, _writeSequence + 1);
    }

    /// <summary>
    /// fsync of everything written so far, callable from another thread while the owner keeps writing:
    /// fsync works on the file, not on a position, and touches no state of the stream.
    /// </summary>
    public void SyncWritten() => RandomAccess.FlushToDisk(_handle);

    /// <summary>Writes the batch to the OS and fsyncs by policy. After it returns, the batch's acknowledgements may go out.</summary>
    public void Commit()
    {
        WriteToOs();
        if (!_unsynced) return;
        switch (_policy)
        {
            case FsyncPolicy.Always:
                Sync();
                break;
            case FsyncPolicy.Interval:
                if (Stopwatch.GetTimestamp() - _lastFsync >= _fsyncIntervalTicks) Sync();
                break;
        }
    }

    /// <summary>Forces everything written to the disk (shutdown, interval policy).</summary>
    public void Sync()
    {
        if (!_unsynced) return;
        _file.Flush(flushToDisk: true);
        _unsynced = false;
        _lastFsync = Stopwatch.GetTimestamp();
    }

    public void Dispose()
    {
        try
        {
            Commit();
            Sync();
        }
        finally
        {
            _file.Dispose();
        }
    }
}
