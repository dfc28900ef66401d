using System.Buffers;
using System.Buffers.Binary;
using Dispatch.Protocol;
using MessagePack;
using Microsoft.Extensions.Logging;

namespace Dispatch.Server.Journal;

/// <summary>What recovery found in the journal.</summary>
/// <param name="Exists">False when there was no usable journal (a new one will be created).</param>
/// <param name="EpochUnixMs">The clock epoch from the headers (0 when there was none).</param>
/// <param name="GoodLength">Bytes of the last segment up to the end of its last intact record.</param>
/// <param name="Records">Records in the journal up to the last intact one, compacted segments included: the count appending resumes from.</param>
/// <param name="DiscardedBytes">Bytes after the last intact record (a torn or corrupt tail), cut by the writer.</param>
/// <param name="Problem">Why the tail was cut, or null.</param>
/// <param name="Replayed">Records handed to the caller (those after the start position; all of them without a snapshot).</param>
/// <param name="LastCrc">CRC of the last intact record (0 when there is none).</param>
internal readonly record struct JournalRecovery(bool Exists, long EpochUnixMs, long GoodLength, long Records, long DiscardedBytes, string? Problem, long Replayed = 0, uint LastCrc = 0)
{
    /// <summary>The last segment when appending can continue in it (format 2, header intact); null when the writer starts a new one.</summary>
    public JournalSegment? Tail { get; init; }

    /// <summary>The legacy single file when it was the last journal file: the writer cuts its tail and starts a segment after it.</summary>
    public JournalSegment? LegacyTail { get; init; }

    /// <summary>Base of the segment holding the last intact record (-1 when it is not on disk: compacted, or no record).</summary>
    public long LastRecordSegment { get; init; }

    /// <summary>Byte offset just after the last intact record in that segment.</summary>
    public long LastRecordOffset { get; init; }
}

/// <summary>
/// A point in the journal: after <paramref name="Records"/> records, in segment <c>journal-&lt;SegmentBase&gt;</c> at
/// byte <paramref name="Offset"/>, the last of them with CRC <paramref name="LastCrc"/>. <paramref name="AtSegmentStart"/>:
/// the point is the start of that segment, known from its header alone (the segment before it may be compacted).
/// </summary>
internal readonly record struct JournalPosition(long Records, long SegmentBase, long Offset, uint LastCrc, bool AtSegmentStart = false);

/// <summary>What a checksum-only scan of the journal found (<see cref="JournalReader.Scan"/>).</summary>
/// <param name="HeaderOk">False when there is no journal file or the first one's header is unusable.</param>
/// <param name="EpochUnixMs">The clock epoch from the first segment's header.</param>
/// <param name="FirstRecord">Records before the first segment on disk (0 unless earlier segments were compacted).</param>
/// <param name="Positions">The positions after each asked-for record count that the intact segments reach.</param>
internal readonly record struct JournalScan(bool HeaderOk, long EpochUnixMs, long FirstRecord, IReadOnlyDictionary<long, JournalPosition> Positions);

/// <summary>The journal cannot be replayed without losing acknowledged records: damage before the last segment, a gap, or compacted records no snapshot covers.</summary>
internal sealed class JournalDamagedException(string message) : IOException(message);

/// <summary>
/// Reads the journal's segments at start-up, in order, and hands every intact record to the caller. A record
/// that is cut short (the process died mid-write) or fails its CRC ends the replay when it is in the last
/// segment: what follows cannot be trusted, and it can only be a tail that was never acknowledged
/// (acknowledgement waits for the write). The problem is logged once and reported so the writer cuts the
/// tail: the server starts, rather than looping on the same crash. A writer only ever starts a new segment
/// after the previous one is whole, so the same damage in an earlier segment, a segment that does not
/// continue the one before it (base, CRC chain, epoch), or a journal whose first records were compacted with
/// no snapshot to stand for them, cannot come from a crash: it is refused (<see cref="JournalDamagedException"/>)
/// rather than silently dropping acknowledged records.
/// </summary>
internal static class JournalReader
{
    /// <summary>
    /// Replays the journal in <paramref name="directory"/>. With <paramref name="start"/> (a position a snapshot
    /// covers, checked by <see cref="Scan"/>), the records up to it are skipped: reading starts there.
    /// </summary>
    public static JournalRecovery Replay(string directory, Action<double, Command> apply, ILogger log, JournalPosition? start = null)
    {
        var segments = JournalSegment.List(directory);
        if (segments.Count == 0) return new JournalRecovery(false, 0, 0, 0, 0, null) { LastRecordSegment = -1 };

        int first = 0;
        if (start is { } s)
        {
            first = segments.FindIndex(x => x.BaseRecords == s.SegmentBase);
            if (first < 0) throw new JournalDamagedException($"journal segment {JournalFormat.SegmentFileName(s.SegmentBase)} vanished during recovery");
        }
        else if (segments[0].BaseRecords != 0)
        {
            throw new JournalDamagedException(
                $"the journal in {directory} starts at record {segments[0].BaseRecords + 1} ({segments[0].Name}): the records before it were compacted into snapshots, " +
                "and no usable snapshot covers them (see the warnings above). Refusing to start with part of the state. Restore the snapshot files, or start under the " +
                "engine settings they were taken with; to start empty instead, move the data directory aside");
        }

        long records = start?.Records ?? 0;
        long skipped = records;
        uint lastCrc = start?.LastCrc ?? 0;
        long epoch = 0;
        long lastRecordSegment = start is { AtSegmentStart: false } p ? p.SegmentBase : -1;
        long lastRecordOffset = start is { AtSegmentStart: false } q ? q.Offset : 0;
        long goodLength = 0, discarded = 0;
        string? problem = null;
        JournalSegment? tail = null, legacyTail = null;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(1024);
        Span<byte> hb = stackalloc byte[JournalFormat.HeaderBytes];
        Span<byte> rh = stackalloc byte[JournalFormat.RecordHeaderBytes];
        try
        {
            for (int i = first; i < segments.Count; i++)
            {
                var seg = segments[i];
                bool last = i == segments.Count - 1;
                using var file = new FileStream(seg.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1 << 16);
                long length = file.Length;
                int got = file.ReadAtLeast(hb, hb.Length, throwOnEndOfStream: false);
                if (!JournalFormat.TryReadHeader(hb[..got], out var header, out string? headerProblem) || header.Legacy != seg.LegacyName)
                {
                    headerProblem ??= header.Legacy ? "a format-1 header in a segment file" : "a format-2 header in the legacy file";
                    if (!last)
                        throw new JournalDamagedException($"journal segment {seg.Path} has an unusable header ({headerProblem}) but later segments follow it: records after it were acknowledged; refusing to start. Restore the file, or move it and the later segments aside (losing those records)");
                    // The last file: torn while being created, or not ours. Keep it for a human, go on without it.
                    file.Dispose();
                    string aside = seg.Path + ".bad-" + DateTime.UtcNow.ToString("yyyyMMddTHHmmss", System.Globalization.CultureInfo.InvariantCulture);
                    File.Move(seg.Path, aside, overwrite: true);
                    if (i == 0 && start is null)
                    {
                        log.LogError("Journal {Path} has an unusable header ({Problem}); moved it to {Aside} and starting with an empty journal", seg.Path, headerProblem, aside);
                        return new JournalRecovery(false, 0, 0, 0, 0, headerProblem) { LastRecordSegment = -1 };
                    }
                    log.LogWarning("Journal segment {Path} has an unusable header ({Problem}; a segment torn while being created); moved it to {Aside}, appending resumes in a new segment", seg.Path, headerProblem, aside);
                    problem = headerProblem;
                    discarded = length;
                    break;
                }
                if (i == first)
                {
                    epoch = header.EpochUnixMs;
                    if (!seg.LegacyName && header.BaseRecords != seg.BaseRecords)
                        throw new JournalDamagedException($"journal segment {seg.Path} says it starts after record {header.BaseRecords}, its name says {seg.BaseRecords}");
                }
                else
                {
                    string? link = header.EpochUnixMs != epoch ? $"clock epoch {header.EpochUnixMs}, the journal's is {epoch}"
                        : header.BaseRecords != records ? $"it starts after record {header.BaseRecords}, but the segments before it end at record {records}"
                        : header.PreviousCrc != lastCrc ? $"it chains to a record with CRC {header.PreviousCrc:x8}, record {records} has {lastCrc:x8}"
                        : null;
                    if (link is not null)
                        throw new JournalDamagedException($"journal segment {seg.Path} does not continue {segments[i - 1].Name} ({link}); refusing to start: a segment is missing or does not belong to this journal");
                }

                long offset = i == first && start is { } from ? from.Offset : header.Length;
                file.Seek(offset, SeekOrigin.Begin);
                string? recordProblem = null;
                while (offset < length)
                {
                    recordProblem = ReadRecord(file, rh, ref buffer, length - offset, out int len, out uint crc);
                    if (recordProblem is not null) break;
                    if (!TryDecode(buffer.AsMemory(0, len), out double now, out Command command, out string? decodeProblem))
                    {
                        recordProblem = $"undecodable record: {decodeProblem}";
                        break;
                    }
                    apply(now, command);
                    lastCrc = crc;
                    records++;
                    offset += JournalFormat.RecordHeaderBytes + len;
                    lastRecordSegment = seg.BaseRecords;
                    lastRecordOffset = offset;
                }
                if (recordProblem is not null && !last)
                    throw new JournalDamagedException($"journal segment {seg.Path}: {recordProblem} at offset {offset}, but later segments follow it: records after it were acknowledged; refusing to start. Restore the file, or cut it there and move the later segments aside (losing those records)");
                if (last)
                {
                    problem = recordProblem;
                    goodLength = offset;
                    discarded = length - offset;
                    if (seg.LegacyName) legacyTail = seg;
                    else tail = seg;
                    if (problem is not null)
                        log.LogWarning("Journal {Path}: {Problem} at offset {Offset}; kept {Records} intact records, discarding the last {Discarded} bytes (never acknowledged)",
                            seg.Path, problem, offset, records, discarded);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return new JournalRecovery(true, epoch, goodLength, records, discarded, problem, records - skipped, lastCrc)
        {
            Tail = tail,
            LegacyTail = legacyTail,
            LastRecordSegment = lastRecordSegment,
            LastRecordOffset = lastRecordOffset,
        };
    }

    /// <summary>
    /// Checks record checksums from the first segment on without decoding or applying anything, and reports the
    /// position after each record count in <paramref name="recordCounts"/> that the intact segments reach (so a
    /// snapshot can be matched to the exact record it covers): at the end of that record in the segment holding
    /// it, or, when that segment is gone (compacted), at the start of the segment after it, from its header.
    /// Stops at the largest count; changes nothing and logs nothing (<see cref="Replay"/> does).
    /// </summary>
    public static JournalScan Scan(string directory, IReadOnlyCollection<long> recordCounts)
    {
        var found = new Dictionary<long, JournalPosition>();
        var segments = JournalSegment.List(directory);
        if (segments.Count == 0) return new JournalScan(false, 0, 0, found);
        var wanted = new HashSet<long>(recordCounts);
        long last = wanted.Count == 0 ? 0 : wanted.Max();
        long epoch = 0;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(1024);
        Span<byte> hb = stackalloc byte[JournalFormat.HeaderBytes];
        Span<byte> rh = stackalloc byte[JournalFormat.RecordHeaderBytes];
        try
        {
            for (int i = 0; i < segments.Count; i++)
            {
                var seg = segments[i];
                using var file = new FileStream(seg.Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 1 << 16);
                long length = file.Length;
                int got = file.ReadAtLeast(hb, hb.Length, throwOnEndOfStream: false);
                if (!JournalFormat.TryReadHeader(hb[..got], out var header, out _) || header.Legacy != seg.LegacyName)
                {
                    if (i == 0) return new JournalScan(false, 0, 0, found);
                    break;
                }
                if (i == 0) epoch = header.EpochUnixMs;
                else if (header.EpochUnixMs != epoch) break;
                long records = header.BaseRecords;
                if (!header.Legacy && wanted.Contains(records) && !found.ContainsKey(records))
                    found[records] = new JournalPosition(records, seg.BaseRecords, header.Length, header.PreviousCrc, AtSegmentStart: true);
                if (records >= last) break;
                long offset = header.Length;
                file.Seek(offset, SeekOrigin.Begin);
                while (records < last && offset < length)
                {
                    if (ReadRecord(file, rh, ref buffer, length - offset, out int len, out uint crc) is not null) break;
                    records++;
                    offset += JournalFormat.RecordHeaderBytes + len;
                    if (wanted.Contains(records)) found[records] = new JournalPosition(records, seg.BaseRecords, offset, crc);
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return new JournalScan(true, epoch, segments[0].BaseRecords, found);
    }

    /// <summary>Reads one record at the file's position into <paramref name="buffer"/>, checking its length and CRC; returns the problem, or null.</summary>
    private static string? ReadRecord(FileStream file, Span<byte> rh, ref byte[] buffer, long left, out int length, out uint crc)
    {
        length = 0;
        crc = 0;
        if (left < JournalFormat.RecordHeaderBytes) return "truncated record header";
        file.ReadExactly(rh);
        uint len = BinaryPrimitives.ReadUInt32LittleEndian(rh);
        crc = BinaryPrimitives.ReadUInt32LittleEndian(rh[4..]);
        if (len == 0 || len > JournalFormat.MaxRecordPayload) return $"record length {len} out of range";
        if (left - JournalFormat.RecordHeaderBytes < len) return $"truncated record (needs {len} bytes, {left - JournalFormat.RecordHeaderBytes} left)";
        if (buffer.Length < len)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = ArrayPool<byte>.Shared.Rent((int)len);
        }
        var payload = buffer.AsSpan(0, (int)len);
        file.ReadExactly(payload);
        if (Crc32.Compute(payload) != crc) return "CRC mismatch";
        length = (int)len;
        return null;
    }

    private static bool TryDecode(ReadOnlyMemory<byte> payload, out double now, out Command command, out string? problem)
    {
        try
        {
            var r = new MessagePackReader(payload);
            now = r.ReadDouble();
            command = CommandCodec.Read(ref r);
            problem = null;
            return true;
        }
        catch (Exception ex) when (ex is ProtocolException or MessagePackSerializationException or EndOfStreamException)
        {
            now = 0;
            command = default;
            problem = ex.Message;
            return false;
        }
    }
}
