using System.Buffers.Binary;
using System.Globalization;

namespace Dispatch.Server.Journal;

/// <summary>What a journal segment's header says.</summary>
/// <param name="EpochUnixMs">Clock epoch (Unix ms: engine minute 0 on the wall clock), the same in every segment of one journal.</param>
/// <param name="BaseRecords">Records in the journal before this segment: its first record is record <c>BaseRecords + 1</c>.</param>
/// <param name="PreviousCrc">CRC of record <see cref="BaseRecords"/> (the last one of the segment before; 0 for the first), chaining the segments.</param>
/// <param name="Length">Header bytes: records start there.</param>
/// <param name="Legacy">A single-file journal of format 1 (<c>journal.dspj</c>): no base, no chain.</param>
internal readonly record struct SegmentHeader(long EpochUnixMs, long BaseRecords, uint PreviousCrc, int Length, bool Legacy);

/// <summary>
/// The journal's files. The journal is a series of segments, <c>journal-&lt;N&gt;.dspj</c>, where N is the number
/// of records before the segment (so <c>journal-0.dspj</c> starts the journal and a snapshot covering N records
/// is followed by <c>journal-N.dspj</c>). Segment header (32 bytes): "DSPJ", format version 2 (u32 LE), clock
/// epoch (i64 LE, Unix ms, fixed at creation so the clock survives restarts), base record count N (i64 LE),
/// CRC of record N (u32 LE, 0 for N = 0), CRC-32 of the 28 header bytes before it (u32 LE). Then records:
/// payload length (u32 LE), CRC-32 of the payload (u32 LE), payload = MessagePack float64 engine time followed
/// by the command as a protocol request array. Format 1, the single file <c>journal.dspj</c> of earlier
/// versions (16-byte header: magic, version 1, epoch; the same records), is read as the segment with N = 0.
/// </summary>
internal static class JournalFormat
{
    /// <summary>The format-1 single-file journal: still recovered, never written.</summary>
    public const string LegacyFileName = "journal.dspj";
    public const string SegmentPrefix = "journal-";
    public const string SegmentExtension = ".dspj";
    public const int LegacyHeaderBytes = 16;
    public const int HeaderBytes = 32;
    public const int RecordHeaderBytes = 8;
    public const uint LegacyFormatVersion = 1;
    public const uint FormatVersion = 2;

    /// <summary>Commands are a few dozen bytes; anything longer in a length field is corruption.</summary>
    public const int MaxRecordPayload = 1024 * 1024; // a traffic polygon of ProtocolConstants.MaxTrafficPoints points is about 180 KB

    public static ReadOnlySpan<byte> Magic => "DSPJ"u8;

    /// <summary>File name of the segment whose first record is record <paramref name="baseRecords"/> + 1.</summary>
    public static string SegmentFileName(long baseRecords) => SegmentPrefix + baseRecords.ToString(CultureInfo.InvariantCulture) + SegmentExtension;

    /// <summary>The base record count in a segment file name, or false when the name is not a segment's.</summary>
    public static bool TryParseSegmentFileName(string fileName, out long baseRecords)
    {
        baseRecords = 0;
        if (!fileName.StartsWith(SegmentPrefix, StringComparison.Ordinal) || !fileName.EndsWith(SegmentExtension, StringComparison.Ordinal)) return false;
        var digits = fileName.AsSpan(SegmentPrefix.Length, fileName.Length - SegmentPrefix.Length - SegmentExtension.Length);
        return digits.Length > 0 && long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out baseRecords);
    }

    public static void WriteHeader(Span<byte> dest, long epochUnixMs, long baseRecords, uint previousCrc)
    {
        Magic.CopyTo(dest);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[4..], FormatVersion);
        BinaryPrimitives.WriteInt64LittleEndian(dest[8..], epochUnixMs);
        BinaryPrimitives.WriteInt64LittleEndian(dest[16..], baseRecords);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[24..], previousCrc);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[28..], Crc32.Compute(dest[..28]));
    }

    /// <summary>The format-1 header (tests build old data directories with it).</summary>
    public static void WriteLegacyHeader(Span<byte> dest, long epochUnixMs)
    {
        Magic.CopyTo(dest);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[4..], LegacyFormatVersion);
        BinaryPrimitives.WriteInt64LittleEndian(dest[8..], epochUnixMs);
    }

    /// <summary>Reads a header of either format from the start of <paramref name="src"/> (at least <see cref="HeaderBytes"/> bytes when the file has them).</summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> src, out SegmentHeader header, out string? problem)
    {
        header = default;
        if (src.Length < 8) { problem = $"header is {src.Length} bytes, expected {HeaderBytes}"; return false; }
        if (!src[..4].SequenceEqual(Magic)) { problem = "bad magic (not a dispatch journal)"; return false; }
        uint v = BinaryPrimitives.ReadUInt32LittleEndian(src[4..]);
        if (v == LegacyFormatVersion)
        {
            if (src.Length < LegacyHeaderBytes) { problem = $"header is {src.Length} bytes, expected {LegacyHeaderBytes}"; return false; }
            header = new SegmentHeader(BinaryPrimitives.ReadInt64LittleEndian(src[8..]), 0, 0, LegacyHeaderBytes, Legacy: true);
            problem = null;
            return true;
        }
        if (v != FormatVersion) { problem = $"format version {v}, this server reads {LegacyFormatVersion} and {FormatVersion}"; return false; }
        if (src.Length < HeaderBytes) { problem = $"header is {src.Length} bytes, expected {HeaderBytes}"; return false; }
        if (Crc32.Compute(src[..28]) != BinaryPrimitives.ReadUInt32LittleEndian(src[28..])) { problem = "header CRC mismatch"; return false; }
        header = new SegmentHeader(BinaryPrimitives.ReadInt64LittleEndian(src[8..]), BinaryPrimitives.ReadInt64LittleEndian(src[16..]),
            BinaryPrimitives.ReadUInt32LittleEndian(src[24..]), HeaderBytes, Legacy: false);
        problem = null;
        return true;
    }
}

/// <summary>A journal file in the data directory: a segment (or the legacy single file, base 0).</summary>
internal sealed record JournalSegment(string Path, long BaseRecords, bool LegacyName)
{
    /// <summary>The file name, for logs.</summary>
    public string Name => System.IO.Path.GetFileName(Path);

    /// <summary>
    /// Every journal file in <paramref name="directory"/>, by base record count. Throws InvalidDataException when two
    /// files claim the same base (a legacy <c>journal.dspj</c> beside a <c>journal-0.dspj</c>): which one holds the
    /// truth is for a human to say.
    /// </summary>
    public static List<JournalSegment> List(string directory)
    {
        var all = new List<JournalSegment>();
        if (!Directory.Exists(directory)) return all;
        string legacy = System.IO.Path.Combine(directory, JournalFormat.LegacyFileName);
        if (File.Exists(legacy)) all.Add(new JournalSegment(legacy, 0, true));
        foreach (var path in Directory.EnumerateFiles(directory, JournalFormat.SegmentPrefix + "*" + JournalFormat.SegmentExtension))
        {
            if (JournalFormat.TryParseSegmentFileName(System.IO.Path.GetFileName(path), out long n)) all.Add(new JournalSegment(path, n, false));
        }
        all.Sort((a, b) => a.BaseRecords.CompareTo(b.BaseRecords));
        for (int i = 1; i < all.Count; i++)
        {
            if (all[i].BaseRecords == all[i - 1].BaseRecords)
                throw new InvalidDataException($"journal files {all[i - 1].Name} and {all[i].Name} in {directory} both start at record {all[i].BaseRecords + 1}; move the one that does not belong aside");
        }
        return all;
    }
}
