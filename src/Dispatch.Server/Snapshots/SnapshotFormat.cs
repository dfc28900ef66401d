using System.Buffers.Binary;
using System.Text;
using Dispatch.Server.Journal;

namespace Dispatch.Server.Snapshots;

/// <summary>What a snapshot file says about itself, ahead of the engine state.</summary>
/// <param name="JournalRecords">Journal records the snapshot covers: the state after applying records 1..this one.</param>
/// <param name="JournalOffset">Journal byte offset just after that record.</param>
/// <param name="LastRecordCrc">CRC of that record (with the offset, pins the snapshot to one exact journal).</param>
/// <param name="JournalEpochUnixMs">The journal header's clock epoch (another journal, another epoch).</param>
/// <param name="ClockNow">The server clock (engine minutes) when the snapshot was taken: what replaying those records would have left it at.</param>
/// <param name="CreatedUnixMs">Wall time of writing (information only).</param>
/// <param name="Fingerprint">SHA-256 of <paramref name="Settings"/>.</param>
/// <param name="Settings">The engine settings it was taken under (<see cref="EngineSettings.Describe"/>).</param>
internal sealed record SnapshotHeader(long JournalRecords, long JournalOffset, uint LastRecordCrc, long JournalEpochUnixMs, double ClockNow, long CreatedUnixMs, byte[] Fingerprint, string Settings)
{
    /// <summary>Bytes the header takes in the file (the engine state starts there).</summary>
    public int Length { get; init; }
}

/// <summary>
/// Snapshot file layout (all integers little-endian):
/// <code>
/// header:  "DSPS" | version u32 | header length u32 (whole header, CRC included)
///          | journal records i64 | journal offset i64 | last record CRC u32 | journal epoch i64 (Unix ms)
///          | clock now f64 (engine minutes) | created i64 (Unix ms) | settings SHA-256 (32 bytes)
///          | settings length u32 | settings UTF-8 | header CRC-32 u32 (of every header byte before it)
/// body:    traffic section length u32 | traffic section (MessagePack, TrafficPicture.SaveSection)
///          | the engine's own snapshot (DispatchEngine.SaveSnapshot)
/// trailer: body length i64 | body CRC-32 u32 | "DSPE"
/// </code>
/// </summary>
internal static class SnapshotFormat
{
    /// <summary>2: the body starts with the traffic picture section (version 1 had the engine state alone; such files are ignored with a warning and the journal replayed).</summary>
    public const uint Version = 2;
    public const string Prefix = "snapshot-";
    public const string Extension = ".snap";
    public const string TempSuffix = ".tmp";
    public const string BadSuffix = ".bad";
    public const int TrailerBytes = 16;
    private const int FixedHeaderBytes = 4 + 4 + 4 + 8 + 8 + 4 + 8 + 8 + 8 + 32 + 4;
    private const int MaxSettingsBytes = 64 * 1024;

    public static ReadOnlySpan<byte> Magic => "DSPS"u8;

    public static ReadOnlySpan<byte> TrailerMagic => "DSPE"u8;

    /// <summary>File name of the snapshot covering <paramref name="journalRecords"/> records.</summary>
    public static string FileName(long journalRecords) => Prefix + journalRecords.ToString(System.Globalization.CultureInfo.InvariantCulture) + Extension;

    /// <summary>The record count in a snapshot file name, or false when the name is not one.</summary>
    public static bool TryParseFileName(string fileName, out long journalRecords)
    {
        journalRecords = 0;
        if (!fileName.StartsWith(Prefix, StringComparison.Ordinal) || !fileName.EndsWith(Extension, StringComparison.Ordinal)) return false;
        var digits = fileName.AsSpan(Prefix.Length, fileName.Length - Prefix.Length - Extension.Length);
        return digits.Length > 0 && long.TryParse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out journalRecords);
    }

    public static byte[] EncodeHeader(SnapshotHeader h)
    {
        byte[] settings = Encoding.UTF8.GetBytes(h.Settings);
        if (settings.Length > MaxSettingsBytes) throw new ArgumentException("settings description too long", nameof(h));
        if (h.Fingerprint.Length != 32) throw new ArgumentException("fingerprint must be 32 bytes", nameof(h));
        int length = FixedHeaderBytes + settings.Length + 4;
        var b = new byte[length];
        var s = b.AsSpan();
        Magic.CopyTo(s);
        BinaryPrimitives.WriteUInt32LittleEndian(s[4..], Version);
        BinaryPrimitives.WriteUInt32LittleEndian(s[8..], (uint)length);
        BinaryPrimitives.WriteInt64LittleEndian(s[12..], h.JournalRecords);
        BinaryPrimitives.WriteInt64LittleEndian(s[20..], h.JournalOffset);
        BinaryPrimitives.WriteUInt32LittleEndian(s[28..], h.LastRecordCrc);
        BinaryPrimitives.WriteInt64LittleEndian(s[32..], h.JournalEpochUnixMs);
        BinaryPrimitives.WriteDoubleLittleEndian(s[40..], h.ClockNow);
        BinaryPrimitives.WriteInt64LittleEndian(s[48..], h.CreatedUnixMs);
        h.Fingerprint.CopyTo(s[56..]);
        BinaryPrimitives.WriteUInt32LittleEndian(s[88..], (uint)settings.Length);
        settings.CopyTo(s[92..]);
        BinaryPrimitives.WriteUInt32LittleEndian(s[(length - 4)..], Crc32.Compute(s[..(length - 4)]));
        return b;
    }

    /// <summary>Reads and checks the header at the start of <paramref name="file"/>; leaves the stream just after it.</summary>
    public static bool TryReadHeader(Stream file, out SnapshotHeader? header, out string? problem)
    {
        header = null;
        Span<byte> start = stackalloc byte[12];
        int got = file.ReadAtLeast(start, start.Length, throwOnEndOfStream: false);
        if (got < start.Length) { problem = $"file is {got} bytes, too short for a header"; return false; }
        if (!start[..4].SequenceEqual(Magic)) { problem = "bad magic (not a dispatch server snapshot)"; return false; }
        uint version = BinaryPrimitives.ReadUInt32LittleEndian(start[4..]);
        if (version != Version) { problem = version < Version ? $"snapshot format version {version} is older than this server's {Version} (no traffic section); the journal is replayed instead" : $"snapshot format version {version}, this server reads {Version}"; return false; }
        uint length = BinaryPrimitives.ReadUInt32LittleEndian(start[8..]);
        if (length < FixedHeaderBytes + 4 || length > FixedHeaderBytes + 4 + MaxSettingsBytes) { problem = $"header length {length} out of range"; return false; }
        var b = new byte[length];
        start.CopyTo(b);
        got = file.ReadAtLeast(b.AsSpan(12), (int)length - 12, throwOnEndOfStream: false);
        if (got < length - 12) { problem = "header cut short"; return false; }
        var s = b.AsSpan();
        if (Crc32.Compute(s[..((int)length - 4)]) != BinaryPrimitives.ReadUInt32LittleEndian(s[((int)length - 4)..])) { problem = "header CRC mismatch"; return false; }
        int settingsLength = (int)BinaryPrimitives.ReadUInt32LittleEndian(s[88..]);
        if (settingsLength != length - FixedHeaderBytes - 4) { problem = "header settings length inconsistent"; return false; }
        header = new SnapshotHeader(
            BinaryPrimitives.ReadInt64LittleEndian(s[12..]),
            BinaryPrimitives.ReadInt64LittleEndian(s[20..]),
            BinaryPrimitives.ReadUInt32LittleEndian(s[28..]),
            BinaryPrimitives.ReadInt64LittleEndian(s[32..]),
            BinaryPrimitives.ReadDoubleLittleEndian(s[40..]),
            BinaryPrimitives.ReadInt64LittleEndian(s[48..]),
            s.Slice(56, 32).ToArray(),
            Encoding.UTF8.GetString(s.Slice(92, settingsLength)))
        { Length = (int)length };
        problem = null;
        return true;
    }

    public static void WriteTrailer(Span<byte> dest, long bodyLength, uint bodyCrc)
    {
        BinaryPrimitives.WriteInt64LittleEndian(dest, bodyLength);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[8..], bodyCrc);
        TrailerMagic.CopyTo(dest[12..]);
    }
}

/// <summary>A write-through stream that counts and checksums what passes (the snapshot body).</summary>
internal sealed class ChecksumWriteStream(Stream inner) : Stream
{
    public uint Crc { get; private set; }

    public long Written { get; private set; }

    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => Written; set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        Crc = Crc32.Append(Crc, buffer);
        Written += buffer.Length;
        inner.Write(buffer);
    }

    public override void WriteByte(byte value) => Write([value]);

    public override void Flush() => inner.Flush();
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
}
