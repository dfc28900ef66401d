using System.Buffers.Binary;
using Dispatch.Hosting;

namespace Dispatch.Server.Snapshots;

/// <summary>
/// The body of a snapshot file (between <see cref="SnapshotFormat"/>'s header and trailer): the traffic
/// picture section (length u32 LE, then <see cref="TrafficPicture.SaveSection"/>'s bytes), then the
/// engine's own snapshot. The traffic picture comes first because the engine snapshot does not hold the
/// traffic model, and the restored engine's travel rule reads the restored picture.
/// </summary>
internal static class SnapshotBody
{
    /// <summary>Writes <paramref name="driver"/>'s traffic picture, then its engine state.</summary>
    public static void Write(Stream body, IEngineDriver driver)
    {
        byte[] traffic = driver.Traffic.SaveSection();
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(length, (uint)traffic.Length);
        body.Write(length);
        body.Write(traffic);
        driver.SaveSnapshot(body);
    }

    /// <summary>
    /// Reads what <see cref="Write"/> wrote: the traffic picture, then the engine over it, as
    /// <paramref name="options"/> describe it. Throws InvalidDataException on a body the engine refuses.
    /// </summary>
    public static IEngineDriver Read(Stream body, ServerOptions options)
    {
        Span<byte> length = stackalloc byte[4];
        body.ReadExactly(length);
        uint n = BinaryPrimitives.ReadUInt32LittleEndian(length);
        if (n > body.Length - body.Position) throw new InvalidDataException($"traffic section of {n} bytes is longer than the snapshot");
        var section = new byte[n];
        body.ReadExactly(section);
        var traffic = TrafficPicture.LoadSection(section, options.ToTrafficSettings());
        return EngineDrivers.Create(options, body, traffic);
    }
}
