using Dispatch.Protocol;

namespace Dispatch.Cluster.Handoff;

/// <summary>
/// The refusal a region gives a command for a courier it handed off (<see cref="ErrorCode.CourierMoved"/>), written and
/// read here only: the region names where the courier went, and a silo's edge reads that back to re-send the command
/// there (<c>RegionCommandHost</c>), so the region id travels in the one message a client would also read.
/// </summary>
public static class CourierMoved
{
    private const string Tail = "; send its commands to region '";

    /// <summary>The message for <paramref name="type"/> about the courier <paramref name="gone"/> took from <paramref name="from"/>.</summary>
    public static string Message(MessageType type, string from, HandoffTicket gone) =>
        $"{type}: courier {gone.CourierId} was handed off from region '{from}' to '{gone.To}' (hand-off {gone.Id}) and is on shift there until minute {gone.ShiftEnd}{Tail}{gone.To}'";

    /// <summary>The region a <see cref="Message"/> names, or false for any other message.</summary>
    public static bool TryReadRegion(string message, out string region)
    {
        region = "";
        int at = message.LastIndexOf(Tail, StringComparison.Ordinal);
        if (at < 0 || !message.EndsWith('\'')) return false;
        region = message[(at + Tail.Length)..^1];
        return region.Length > 0;
    }
}
