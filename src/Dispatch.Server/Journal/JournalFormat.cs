using System.Buffers.Binary;

namespace Dispatch.Server.Journal;

/// <summary>
/// The journal file layout. Header (16 bytes): "DSPJ", format version (u32 LE), clock epoch (i64 LE,
/// Unix milliseconds: engine minute 0 on the wall clock, fixed at creation so the clock survives
/// restarts). Then records: payload length (u32 LE), CRC-32 of the payload (u32 LE), payload =
/// MessagePack float64 engine time followed by the command as a protocol request array.
/// </summary>
internal static class JournalFormat
{
    public const string FileName = "journal.dspj";
    public const int HeaderBytes = 16;
    public const int RecordHeaderBytes = 8;
    public const uint FormatVersion = 1;

    /// <summary>Commands are a few dozen bytes; anything longer in a length field is corruption.</summary>
    public const int MaxRecordPayload = 1024 * 1024; // a traffic polygon of ProtocolConstants.MaxTrafficPoints points is about 180 KB

    public static ReadOnlySpan<byte> Magic => "DSPJ"u8;

    public static void WriteHeader(Span<byte> dest, long epochUnixMs)
    {
        Magic.CopyTo(dest);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[4..], FormatVersion);
        BinaryPrimitives.WriteInt64LittleEndian(dest[8..], epochUnixMs);
    }

    public static bool TryReadHeader(ReadOnlySpan<byte> src, out long epochUnixMs, out string? problem)
    {
        epochUnixMs = 0;
        if (src.Length < HeaderBytes) { problem = $"header is {src.Length} bytes, expected {HeaderBytes}"; return false; }
        if (!src[..4].SequenceEqual(Magic)) { problem = "bad magic (not a dispatch journal)"; return false; }
        uint v = BinaryPrimitives.ReadUInt32LittleEndian(src[4..]);
        if (v != FormatVersion) { problem = $"format version {v}, this server reads {FormatVersion}"; return false; }
        epochUnixMs = BinaryPrimitives.ReadInt64LittleEndian(src[8..]);
        problem = null;
        return true;
    }
}
