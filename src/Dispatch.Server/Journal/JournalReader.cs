using System.Buffers;
using System.Buffers.Binary;
using Dispatch.Protocol;
using MessagePack;
using Microsoft.Extensions.Logging;

namespace Dispatch.Server.Journal;

/// <summary>What recovery found in the journal.</summary>
/// <param name="Exists">False when there was no usable journal (a new one will be created).</param>
/// <param name="EpochUnixMs">The clock epoch from the header (0 when there was none).</param>
/// <param name="GoodLength">Bytes up to the end of the last intact record.</param>
/// <param name="Records">Intact records replayed.</param>
/// <param name="DiscardedBytes">Bytes after the last intact record (a torn or corrupt tail), cut by the writer.</param>
/// <param name="Problem">Why the tail was cut, or null.</param>
/// <param name="Replayed">Records handed to the caller (those after the start position; all of them without a snapshot).</param>
/// <param name="LastCrc">CRC of the last intact record (0 when there is none).</param>
internal readonly record struct JournalRecovery(bool Exists, long EpochUnixMs, long GoodLength, long Records, long DiscardedBytes, string? Problem, long Replayed = 0, uint LastCrc = 0);

/// <summary>A point in the journal: after <paramref name="Records"/> records, at byte <paramref name="Offset"/>, the last of them with CRC <paramref name="LastCrc"/>.</summary>
internal readonly record struct JournalPosition(long Records, long Offset, uint LastCrc);

/// <summary>What a checksum-only scan of the journal found (<see cref="JournalReader.Scan"/>).</summary>
/// <param name="HeaderOk">False when the file is missing or its header is unusable.</param>
/// <param name="EpochUnixMs">The clock epoch from the header.</param>
/// <param name="Positions">The positions after each asked-for record count that the intact part of the journal reaches.</param>
internal readonly record struct JournalScan(bool HeaderOk, long EpochUnixMs, IReadOnlyDictionary<long, JournalPosition> Positions);

/// <summary>
/// Reads the journal at start-up and hands every intact record to the caller, in order. A record
/// that is cut short (the process died mid-write) or fails its CRC ends the replay: what follows
/// cannot be trusted, and it can only be a tail that was never acknowledged (acknowledgement waits
/// for the write). The problem is logged once and reported so the writer cuts the tail: the server
/// starts, rather than looping on the same crash.
/// </summary>
internal static class JournalReader
{
    /// <summary>
    /// Replays the journal. With <paramref name="start"/> (a position a snapshot covers, checked by
    /// <see cref="Scan"/>), the records up to it are skipped: reading starts at its offset.
    /// </summary>
    public static JournalRecovery Replay(string path, Action<double, Command> apply, ILogger log, JournalPosition? start = null)
    {
        if (!File.Exists(path)) return new JournalRecovery(false, 0, 0, 0, 0, null);

        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1 << 16);
        long length = file.Length;
        Span<byte> header = stackalloc byte[JournalFormat.HeaderBytes];
        int got = file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        if (!JournalFormat.TryReadHeader(header[..got], out long epoch, out string? headerProblem))
        {
            // Not ours or torn at creation. Keep it for a human, start a fresh journal.
            file.Dispose();
            string aside = path + ".bad-" + DateTime.UtcNow.ToString("yyyyMMddTHHmmss");
            File.Move(path, aside, overwrite: true);
            log.LogError("Journal {Path} has an unusable header ({Problem}); moved it to {Aside} and starting with an empty journal", path, headerProblem, aside);
            return new JournalRecovery(false, 0, 0, 0, 0, headerProblem);
        }

        long offset = JournalFormat.HeaderBytes;
        long records = 0;
        uint lastCrc = 0;
        if (start is { } from && from.Offset > offset && from.Offset <= length)
        {
            offset = from.Offset;
            records = from.Records;
            lastCrc = from.LastCrc;
            file.Seek(offset, SeekOrigin.Begin);
        }
        long skipped = records;
        string? problem = null;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(1024);
        try
        {
            Span<byte> rh = stackalloc byte[JournalFormat.RecordHeaderBytes];
            while (offset < length)
            {
                if (length - offset < JournalFormat.RecordHeaderBytes) { problem = "truncated record header"; break; }
                file.ReadExactly(rh);
                uint len = BinaryPrimitives.ReadUInt32LittleEndian(rh);
                uint crc = BinaryPrimitives.ReadUInt32LittleEndian(rh[4..]);
                if (len == 0 || len > JournalFormat.MaxRecordPayload) { problem = $"record length {len} out of range"; break; }
                if (length - offset - JournalFormat.RecordHeaderBytes < len) { problem = $"truncated record (needs {len} bytes, {length - offset - JournalFormat.RecordHeaderBytes} left)"; break; }
                if (buffer.Length < len)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent((int)len);
                }
                var payload = buffer.AsSpan(0, (int)len);
                file.ReadExactly(payload);
                if (Crc32.Compute(payload) != crc) { problem = "CRC mismatch"; break; }
                if (!TryDecode(buffer.AsMemory(0, (int)len), out double now, out Command command, out string? decodeProblem))
                {
                    problem = $"undecodable record: {decodeProblem}";
                    break;
                }
                apply(now, command);
                lastCrc = crc;
                records++;
                offset += JournalFormat.RecordHeaderBytes + len;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        long discarded = length - offset;
        if (problem is not null)
            log.LogWarning("Journal {Path}: {Problem} at offset {Offset}; kept {Records} intact records, discarding the last {Discarded} bytes (never acknowledged)",
                path, problem, offset, records, discarded);
        return new JournalRecovery(true, epoch, offset, records, discarded, problem, records - skipped, lastCrc);
    }

    /// <summary>
    /// Checks record checksums from the start without decoding or applying anything, and reports the
    /// position after each record count in <paramref name="recordCounts"/> that the intact journal
    /// reaches (so a snapshot can be matched to the exact record it covers). Stops at the largest
    /// count or at the first bad record; changes nothing and logs nothing (<see cref="Replay"/> does).
    /// </summary>
    public static JournalScan Scan(string path, IReadOnlyCollection<long> recordCounts)
    {
        var found = new Dictionary<long, JournalPosition>();
        if (!File.Exists(path)) return new JournalScan(false, 0, found);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1 << 16);
        long length = file.Length;
        Span<byte> header = stackalloc byte[JournalFormat.HeaderBytes];
        int got = file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        if (!JournalFormat.TryReadHeader(header[..got], out long epoch, out _)) return new JournalScan(false, 0, found);
        var wanted = new HashSet<long>(recordCounts);
        long last = wanted.Count == 0 ? 0 : wanted.Max();
        long offset = JournalFormat.HeaderBytes;
        long records = 0;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(1024);
        try
        {
            Span<byte> rh = stackalloc byte[JournalFormat.RecordHeaderBytes];
            while (records < last && length - offset >= JournalFormat.RecordHeaderBytes)
            {
                file.ReadExactly(rh);
                uint len = BinaryPrimitives.ReadUInt32LittleEndian(rh);
                uint crc = BinaryPrimitives.ReadUInt32LittleEndian(rh[4..]);
                if (len == 0 || len > JournalFormat.MaxRecordPayload || length - offset - JournalFormat.RecordHeaderBytes < len) break;
                if (buffer.Length < len)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent((int)len);
                }
                var payload = buffer.AsSpan(0, (int)len);
                file.ReadExactly(payload);
                if (Crc32.Compute(payload) != crc) break;
                records++;
                offset += JournalFormat.RecordHeaderBytes + len;
                if (wanted.Contains(records)) found[records] = new JournalPosition(records, offset, crc);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return new JournalScan(true, epoch, found);
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
