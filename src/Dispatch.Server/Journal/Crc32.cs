using System.Buffers.Binary;

namespace Dispatch.Server.Journal;

/// <summary>
/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), the checksum of zip and Ethernet. Written
/// here because System.IO.Hashing is a separate package that is not pinned in this repository.
/// Slicing-by-8: eight bytes per step through eight tables, the same value as the byte-at-a-time loop
/// (which still takes the last few bytes). The byte loop was the largest piece of the engine thread's own
/// work for a position update (a ~45-byte journal record each) in a profile at 200k updates/s; snapshots
/// and recovery checksum megabytes with it.
/// </summary>
internal static class Crc32
{
    // Table k (entries k*256 ... k*256+255) is the CRC of a byte followed by k zero bytes.
    private static readonly uint[] Tables = BuildTables();

    /// <summary>The CRC of <paramref name="data"/>.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    /// <summary>Continues a CRC over more bytes (pass the previous result, 0 to start).</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        var t = Tables;
        uint c = ~crc;
        while (data.Length >= 8)
        {
            uint one = BinaryPrimitives.ReadUInt32LittleEndian(data) ^ c;
            uint two = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
            c = t[7 * 256 + (one & 0xFF)] ^ t[6 * 256 + ((one >> 8) & 0xFF)] ^ t[5 * 256 + ((one >> 16) & 0xFF)] ^ t[4 * 256 + (one >> 24)]
              ^ t[3 * 256 + (two & 0xFF)] ^ t[2 * 256 + ((two >> 8) & 0xFF)] ^ t[256 + ((two >> 16) & 0xFF)] ^ t[two >> 24];
            data = data[8..];
        }
        foreach (byte b in data) c = t[(c ^ b) & 0xFF] ^ (c >> 8);
        return ~c;
    }

    private static uint[] BuildTables()
    {
        var t = new uint[8 * 256];
        for (uint i = 0; i < 256; i++)
        {
            uint c = i;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
        for (int k = 1; k < 8; k++)
        {
            for (int i = 0; i < 256; i++)
            {
                uint prev = t[(k - 1) * 256 + i];
                t[k * 256 + i] = (prev >> 8) ^ t[prev & 0xFF];
            }
        }
        return t;
    }
}
