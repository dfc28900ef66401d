using System.Buffers.Binary;
using Dispatch.Protocol;
using Dispatch.Server.Journal;
using MessagePack;

namespace Dispatch.Server.Tests;

/// <summary>Writes a journal as servers before segments did: one file, <c>journal.dspj</c>, format 1 (16-byte header).</summary>
internal static class LegacyJournal
{
    /// <summary>Writes <paramref name="records"/> (engine time, command) to <c>&lt;directory&gt;/journal.dspj</c>; returns the byte offset after each record.</summary>
    public static long[] Write(string directory, long epochUnixMs, IEnumerable<(double Now, Command Command)> records)
    {
        Directory.CreateDirectory(directory);
        var file = new List<byte>();
        var header = new byte[JournalFormat.LegacyHeaderBytes];
        JournalFormat.WriteLegacyHeader(header, epochUnixMs);
        file.AddRange(header);
        var ends = new List<long>();
        foreach (var (now, command) in records)
        {
            var buf = new FrameBuffer();
            var w = new MessagePackWriter(buf);
            w.Write(now);
            CommandCodec.Write(ref w, command);
            w.Flush();
            byte[] payload = buf.WrittenSpan.ToArray();
            var rh = new byte[JournalFormat.RecordHeaderBytes];
            BinaryPrimitives.WriteUInt32LittleEndian(rh, (uint)payload.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(rh.AsSpan(4), Crc32.Compute(payload));
            file.AddRange(rh);
            file.AddRange(payload);
            ends.Add(file.Count);
        }
        File.WriteAllBytes(Path.Combine(directory, JournalFormat.LegacyFileName), file.ToArray());
        return ends.ToArray();
    }
}
