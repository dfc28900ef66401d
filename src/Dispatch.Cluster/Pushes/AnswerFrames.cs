using System.Buffers;
using Dispatch.Protocol;
using MessagePack;

namespace Dispatch.Cluster.Pushes;

/// <summary>Reads a region's answer (whole frames, docs/cluster.md) for its push frames: the decisions of its Ticks.</summary>
internal static class AnswerFrames
{
    /// <summary>True when <paramref name="payload"/> is a push (Assignment or PlanChange): the frames every subscriber gets.</summary>
    public static bool IsPush(in ReadOnlySequence<byte> payload)
    {
        var r = new MessagePackReader(payload);
        r.ReadArrayHeader();
        return (MessageType)r.ReadInt32() is MessageType.Assignment or MessageType.PlanChange;
    }

    /// <summary>Appends the push frames of <paramref name="answer"/>, in order, to <paramref name="output"/>; returns how many.</summary>
    public static int CopyPushes(byte[] answer, FrameBuffer output)
    {
        var rest = new ReadOnlySequence<byte>(answer);
        int n = 0;
        while (true)
        {
            int start = answer.Length - (int)rest.Length;
            if (FrameReader.TryReadFrame(ref rest, int.MaxValue, out var payload, out _) != FrameStatus.Frame) return n;
            if (!IsPush(payload)) continue;
            output.Append(answer.AsSpan(start, answer.Length - (int)rest.Length - start));
            n++;
        }
    }
}
