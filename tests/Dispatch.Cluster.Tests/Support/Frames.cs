using System.Buffers;
using Dispatch.Protocol;

namespace Dispatch.Cluster.Tests.Support;

/// <summary>Requests as the wire carries them, and a region's answer split back into frames.</summary>
internal static class Frames
{
    /// <summary>One request's payload (no length prefix): what the edge hands a region grain.</summary>
    public static byte[] Payload(in Command c)
    {
        var buffer = new FrameBuffer();
        CommandCodec.WriteFrame(buffer, c);
        return buffer.WrittenSpan[ProtocolConstants.HeaderBytes..].ToArray();
    }

    /// <summary>The frames of an answer, decoded.</summary>
    public static List<ServerMessage> Read(byte[] frames)
    {
        var list = new List<ServerMessage>();
        var buffer = new ReadOnlySequence<byte>(frames);
        while (true)
        {
            var status = FrameReader.TryReadFrame(ref buffer, int.MaxValue, out var payload, out _);
            if (status == FrameStatus.NeedMore) break;
            Assert.Equal(FrameStatus.Frame, status);
            list.Add(ReplyCodec.Read(payload));
        }
        Assert.Equal(0, buffer.Length);
        return list;
    }
}
