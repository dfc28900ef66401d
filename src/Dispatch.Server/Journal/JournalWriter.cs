using System.Buffers.Binary;
using System.Diagnostics;
using Dispatch.Protocol;
using MessagePack;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace Dispatch.Server.Journal;

/// <summary>
/// Appends accepted commands to the journal with group commit: the engine thread appends every
/// command of a batch to an in-memory buffer, then <see cref="Commit"/> writes the batch in one
/// write call (and fsyncs by policy) before any of its acknowledgements leave. Records go to the
/// current segment (<see cref="JournalFormat"/>); after a batch that takes it past the segment size,
/// and before each snapshot, the writer rolls to a new segment (<see cref="Roll"/>). One writer, owned
/// by the engine thread; only <see cref="SyncWritten"/>, <see cref="RemoveCovered"/> and
/// <see cref="BytesOnDisk"/> may be called from other threads.
/// </summary>
internal sealed class JournalWriter : IDisposable
{
    private readonly string _directory;
    private readonly FsyncPolicy _policy;
    private readonly long _fsyncIntervalTicks;
    private readonly long _segmentBytes;
    private readonly FrameBuffer _batch = new(64 * 1024);
    private readonly FrameBuffer _payload = new(256);
    private FileStream _file; // the engine thread's own handle to the current segment
    private long _lastFsync;
    private bool _unsynced;
    private long _bytes;
    private long _sealedBytes;
    private long _writeSequence;

    // The sync side (GroupCommitSyncer's thread, the snapshot writer, the engine thread under Interval) never
    // touches _file: it fsyncs through its own handle. fsync flushes the file, whichever descriptor wrote the
    // bytes. A roll hands the old segment's stream to the sync side, which fsyncs and closes it: the engine
    // thread (a snapshot rolls on it) neither closes a file nor waits for a sync.
    private readonly object _syncLock = new();
    private readonly object _rolledLock = new();
    private readonly List<(string Path, FileStream? File)> _rolledUnsynced = new(); // segments rolled away from before their last fsync, open while few
    private const int RolledOpenAtMost = 16; // past it (no fsync for many rolls: Fsync=Never without snapshots) the oldest is closed, and synced by path
    private bool _directoryUnsynced; // a segment was created since the last directory fsync
    private string _currentPath;
    private SafeFileHandle? _syncHandle;
    private string? _syncHandlePath;
    private Exception? _syncFault;

    /// <summary>
    /// Opens the journal in <paramref name="directory"/> for appending where <paramref name="recovery"/> says the
    /// intact part ends: continues its last segment (cutting a torn tail), or starts a new segment after it (a
    /// legacy single file has its tail cut and stays as the first, read-only, part; no journal at all: a new
    /// <c>journal-0.dspj</c> with <paramref name="epochUnixMs"/>).
    /// </summary>
    public JournalWriter(string directory, in JournalRecovery recovery, long epochUnixMs, FsyncPolicy policy, TimeSpan fsyncInterval, long segmentBytes)
    {
        _directory = directory;
        _policy = policy;
        _fsyncIntervalTicks = (long)(fsyncInterval.TotalSeconds * Stopwatch.Frequency);
        _segmentBytes = segmentBytes;
        EpochUnixMs = epochUnixMs;
        Directory.CreateDirectory(directory);
        if (recovery.LegacyTail is { } legacy)
        {
            if (recovery.Records == 0) File.Delete(legacy.Path); // only a header: nothing to keep
            else CutTo(legacy.Path, recovery.GoodLength);
        }
        Records = recovery.Records;
        LastRecordCrc = recovery.LastCrc;
        LastRecordSegment = recovery.LastRecordSegment;
        LastRecordOffset = recovery.LastRecordOffset;
        if (recovery.Tail is { } tail)
        {
            CutTo(tail.Path, recovery.GoodLength);
            _file = OpenForAppend(tail.Path);
            _file.Seek(recovery.GoodLength, SeekOrigin.Begin);
            _currentPath = tail.Path;
            SegmentBase = tail.BaseRecords;
            _bytes = recovery.GoodLength;
        }
        else
        {
            (_file, _currentPath) = CreateSegment(Records, LastRecordCrc);
            _file.Flush(flushToDisk: true);
            DirectorySync.Flush(directory);
            SegmentBase = Records;
            _bytes = JournalFormat.HeaderBytes;
        }
        foreach (var seg in JournalSegment.List(directory))
        {
            if (seg.Path != _currentPath) _sealedBytes += new FileInfo(seg.Path).Length;
        }
        _lastFsync = Stopwatch.GetTimestamp();
    }

    /// <summary>The clock epoch recorded in the headers.</summary>
    public long EpochUnixMs { get; }

    /// <summary>Records in the journal (compacted segments included), including uncommitted ones.</summary>
    public long Records { get; private set; }

    /// <summary>Records before the current segment (its name's N).</summary>
    public long SegmentBase { get; private set; }

    /// <summary>Bytes in the current segment after the next commit.</summary>
    public long Bytes => _bytes;

    /// <summary>Bytes of every journal file in the data directory (the current segment counted up to the next commit); any thread.</summary>
    public long BytesOnDisk => Interlocked.Read(ref _sealedBytes) + Volatile.Read(ref _bytes);

    /// <summary>CRC of the last record appended (0 when there is none): a snapshot names the record it ends at with it.</summary>
    public uint LastRecordCrc { get; private set; }

    /// <summary>Base of the segment holding the last record (-1 when that segment is not on disk).</summary>
    public long LastRecordSegment { get; private set; }

    /// <summary>Byte offset just after the last record in the segment holding it.</summary>
    public long LastRecordOffset { get; private set; }

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
        Volatile.Write(ref _bytes, _bytes + header.Length + payload.Length);
        LastRecordSegment = SegmentBase;
        LastRecordOffset = _bytes;
    }

    /// <summary>The fsync policy this journal was opened with.</summary>
    public FsyncPolicy Policy => _policy;

    /// <summary>Counts the batches written to the OS (read by the group-commit syncer to skip needless fsyncs).</summary>
    public long WriteSequence => Volatile.Read(ref _writeSequence);

    /// <summary>Writes the batch to the OS without any fsync (the caller syncs: <see cref="GroupCommitSyncer"/>); rolls to a new segment past the segment size.</summary>
    public void WriteToOs()
    {
        if (_batch.Length == 0) return;
        _file.Write(_batch.WrittenSpan);
        _batch.Reset();
        _unsynced = true;
        Volatile.Write(ref _writeSequence, _writeSequence + 1);
        if (_bytes >= _segmentBytes) Roll();
    }

    /// <summary>
    /// Engine thread, between batches: writes what is pending, then starts <c>journal-&lt;Records&gt;.dspj</c>
    /// and appends there from now on (nothing happens when the current segment holds no record). Costs a file
    /// creation and a 32-byte write; the fsyncs of the old segment, the new one and the directory are left to
    /// the next <see cref="SyncWritten"/>, which runs before any record in the new segment is acknowledged
    /// under <see cref="FsyncPolicy.Always"/>.
    /// </summary>
    public void Roll()
    {
        if (_batch.Length > 0) WriteToOs();
        if (_bytes <= JournalFormat.HeaderBytes) return;
        var (file, path) = CreateSegment(Records, LastRecordCrc);
        var old = _file;
        long oldBytes = _bytes;
        lock (_rolledLock)
        {
            if (_rolledUnsynced.Count >= RolledOpenAtMost && _rolledUnsynced[^RolledOpenAtMost] is (var path0, { } file0))
            {
                file0.Dispose();
                _rolledUnsynced[^RolledOpenAtMost] = (path0, null);
            }
            _rolledUnsynced.Add((_currentPath, old));
            _directoryUnsynced = true;
        }
        // After the old segment is in the list: a concurrent SyncWritten that still sees the old path syncs it, one that sees the new one finds the old in the list.
        Volatile.Write(ref _currentPath, path);
        _file = file;
        Interlocked.Add(ref _sealedBytes, oldBytes);
        SegmentBase = Records;
        Volatile.Write(ref _bytes, JournalFormat.HeaderBytes);
        _unsynced = true;
    }

    /// <summary>
    /// fsync of everything written so far, callable from any thread while the owner keeps writing: the segments
    /// rolled away from since the last call, the current one, and the directory when a segment was created.
    /// A failure is final: every later call throws too (after a failed fsync the kernel may have dropped the
    /// dirty pages and report success next time, so nothing written before it may ever be acknowledged).
    /// </summary>
    public void SyncWritten()
    {
        lock (_syncLock)
        {
            if (_syncFault is { } fault) throw new IOException("an earlier journal fsync failed", fault);
            try
            {
                SyncWrittenLocked();
            }
            catch (Exception ex)
            {
                _syncFault = ex;
                throw;
            }
        }
    }

    private void SyncWrittenLocked()
    {
        string current = Volatile.Read(ref _currentPath);
        (string Path, FileStream? File)[]? rolled = null;
        bool directory;
        lock (_rolledLock)
        {
            if (_rolledUnsynced.Count > 0)
            {
                rolled = _rolledUnsynced.ToArray();
                _rolledUnsynced.Clear();
            }
            directory = _directoryUnsynced;
            _directoryUnsynced = false;
        }
        if (rolled is not null)
        {
            for (int i = 0; i < rolled.Length; i++)
            {
                var (path, file) = rolled[i];
                try
                {
                    if (file is not null)
                    {
                        RandomAccess.FlushToDisk(file.SafeFileHandle);
                    }
                    else
                    {
                        try
                        {
                            using var h = File.OpenHandle(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
                            RandomAccess.FlushToDisk(h);
                        }
                        catch (FileNotFoundException) { } // compacted already: nothing left to lose
                    }
                }
                catch
                {
                    // Not synced: back into the list (with those after it), so Dispose still closes them; the fault is final anyway.
                    lock (_rolledLock) _rolledUnsynced.InsertRange(0, rolled[i..]);
                    throw;
                }
                file?.Dispose();
                if (path == _syncHandlePath)
                {
                    _syncHandle?.Dispose();
                    _syncHandle = null;
                    _syncHandlePath = null;
                }
            }
        }
        if (_syncHandlePath != current)
        {
            _syncHandle?.Dispose();
            _syncHandle = File.OpenHandle(current, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
            _syncHandlePath = current;
        }
        RandomAccess.FlushToDisk(_syncHandle!);
        if (directory) DirectorySync.Flush(_directory);
    }

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
        SyncWritten();
        _unsynced = false;
        _lastFsync = Stopwatch.GetTimestamp();
    }

    /// <summary>
    /// Compaction, from any thread once a snapshot covering <paramref name="coveredRecords"/> records is durable:
    /// deletes every segment whose records all lie at or before that record (its successor starts at or before
    /// it), or moves it to <paramref name="archiveDirectory"/> when one is given. The current segment is never
    /// touched. Returns the files removed.
    /// </summary>
    public int RemoveCovered(long coveredRecords, string? archiveDirectory, ILogger log)
    {
        var segments = JournalSegment.List(_directory);
        string current = Volatile.Read(ref _currentPath);
        int removed = 0;
        for (int i = 0; i + 1 < segments.Count; i++)
        {
            var seg = segments[i];
            if (segments[i + 1].BaseRecords > coveredRecords || seg.Path == current) break;
            try
            {
                long length = new FileInfo(seg.Path).Length;
                if (string.IsNullOrEmpty(archiveDirectory))
                {
                    File.Delete(seg.Path);
                }
                else
                {
                    Directory.CreateDirectory(archiveDirectory);
                    string target = Path.Combine(archiveDirectory, seg.Name);
                    if (File.Exists(target)) target += "." + DateTime.UtcNow.ToString("yyyyMMddTHHmmssfff", System.Globalization.CultureInfo.InvariantCulture);
                    File.Move(seg.Path, target);
                }
                Interlocked.Add(ref _sealedBytes, -length);
                removed++;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                log.LogWarning("Could not {Action} journal segment {Path}: {Message}", string.IsNullOrEmpty(archiveDirectory) ? "delete" : "archive", seg.Path, ex.Message);
                break; // the ones after it must stay: the journal on disk has no holes
            }
        }
        return removed;
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
            lock (_syncLock) _syncHandle?.Dispose();
            lock (_rolledLock)
            {
                foreach (var (_, file) in _rolledUnsynced) file?.Dispose();
                _rolledUnsynced.Clear();
            }
        }
    }

    /// <summary>Creates <c>journal-&lt;baseRecords&gt;.dspj</c> with its header written to the OS (not fsynced).</summary>
    private (FileStream File, string Path) CreateSegment(long baseRecords, uint previousCrc)
    {
        string path = Path.Combine(_directory, JournalFormat.SegmentFileName(baseRecords));
        // bufferSize 0: the batch buffer is our buffer; a FileStream buffer would only add a copy.
        var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        Span<byte> header = stackalloc byte[JournalFormat.HeaderBytes];
        JournalFormat.WriteHeader(header, EpochUnixMs, baseRecords, previousCrc);
        file.Write(header);
        return (file, path);
    }

    private static FileStream OpenForAppend(string path) =>
        new(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);

    /// <summary>Cuts a torn or corrupt tail so new records follow the last good one.</summary>
    private static void CutTo(string path, long goodLength)
    {
        using var f = OpenForAppend(path);
        if (f.Length == goodLength) return;
        f.SetLength(goodLength);
        f.Flush(flushToDisk: true);
    }
}
