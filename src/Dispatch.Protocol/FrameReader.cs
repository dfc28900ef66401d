using System.Buffers;
using System.Buffers.Binary;

namespace Dispatch.Protocol;

/// <summary>
/// Splits a byte stream into frames: a 4-byte big-endian payload length, then the payload.
/// Synchronous and allocation-free, so the async read loop around it stays thin; the payload is a
/// slice of the input (no copy), valid until the caller advances its pipe.
/// </summary>
public static class FrameReader
{
    /// <summary>
    /// Tries to take one frame off the front of <paramref name="buffer"/>. On <see cref="FrameStatus.Frame"/>
    /// the buffer is advanced past it; otherwise the buffer is unchanged. The limit is checked on the
    /// prefix alone, before any payload byte arrives, so an oversized frame is never buffered.
    /// </summary>
    /// <param name="buffer">Unconsumed input.</param>
    /// <param name="maxPayloadBytes">Largest payload accepted.</param>
    /// <param name="payload">The frame's payload.</param>
    /// <param name="declaredLength">The length prefix, when one was read (for error messages).</param>
    public static FrameStatus TryReadFrame(ref ReadOnlySequence<byte> buffer, int maxPayloadBytes, out ReadOnlySequence<byte> payload, out uint declaredLength)
    {
        payload = default;
        declaredLength = 0;
        if (buffer.Length < ProtocolConstants.HeaderBytes) return FrameStatus.NeedMore;

        // Fast path: the prefix is in the first segment (nearly always).
        ReadOnlySpan<byte> first = buffer.FirstSpan;
        if (first.Length >= ProtocolConstants.HeaderBytes)
        {
            declaredLength = BinaryPrimitives.ReadUInt32BigEndian(first);
        }
        else
        {
            Span<byte> header = stackalloc byte[ProtocolConstants.HeaderBytes];
            buffer.Slice(0, ProtocolConstants.HeaderBytes).CopyTo(header);
            declaredLength = BinaryPrimitives.ReadUInt32BigEndian(header);
        }

        if (declaredLength == 0 || declaredLength > (uint)maxPayloadBytes) return FrameStatus.Invalid;
        long total = ProtocolConstants.HeaderBytes + (long)declaredLength;
        if (buffer.Length < total) return FrameStatus.NeedMore;

        payload = buffer.Slice(ProtocolConstants.HeaderBytes, declaredLength);
        buffer = buffer.Slice(total);
        return FrameStatus.Frame;
    }
}
