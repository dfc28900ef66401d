using System.Buffers;

namespace Dispatch.Protocol.Tests;

/// <summary>Builds multi-segment sequences, to test parsing across segment boundaries.</summary>
internal sealed class Segment : ReadOnlySequenceSegment<byte>
{
    public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    public Segment Append(ReadOnlyMemory<byte> memory)
    {
        var next = new Segment(memory, RunningIndex + Memory.Length);
        Next = next;
        return next;
    }

    /// <summary>A sequence of <paramref name="data"/> cut at the given points (ascending, inside the data).</summary>
    public static ReadOnlySequence<byte> Split(byte[] data, IEnumerable<int> cuts)
    {
        var points = cuts.Where(c => c > 0 && c < data.Length).Distinct().Order().ToList();
        if (points.Count == 0) return new ReadOnlySequence<byte>(data);
        int prev = 0;
        var first = new Segment(data.AsMemory(0, points[0]), 0);
        var last = first;
        prev = points[0];
        foreach (int p in points.Skip(1).Append(data.Length))
        {
            last = last.Append(data.AsMemory(prev, p - prev));
            prev = p;
        }
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }
}
