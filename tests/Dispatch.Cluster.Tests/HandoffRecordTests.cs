using Dispatch.Cluster.Handoff;
using Dispatch.Cluster.Tests.Support;
using Dispatch.Protocol;

namespace Dispatch.Cluster.Tests;

/// <summary>Hand-off records and the ledger as bytes: they round-trip, and commands are never taken for them.</summary>
public sealed class HandoffRecordTests
{
    private static readonly HandoffTicket Ticket = new()
    {
        Id = "north/42", From = "north", To = "south", CourierId = 7, X = 1000.5, Y = -2000.25, ShiftStart = 0, ShiftEnd = 600,
        Capacity = 3, ReleasedAt = 12.5, Reason = HandoffReason.Borrow,
    };

    [Fact]
    public void A_record_round_trips_and_a_command_is_not_one()
    {
        var record = new HandoffRecord(HandoffRecordKind.Refused, Ticket, "courier 7 is already on a shift");
        Assert.True(HandoffRecord.TryRead(record.Encode(), out var read));
        Assert.Equal(record, read);
        Assert.False(HandoffRecord.TryRead(Frames.Payload(Command.CourierOnShift(1, 7, 0, 0, 0, 600)), out _));
        Assert.False(HandoffRecord.TryRead(Frames.Payload(Command.Tick(200, 1)), out _));
        // The wire codec refuses the marker, so no client can journal a hand-off step.
        Assert.Throws<ProtocolException>(() => CommandCodec.Read(new System.Buffers.ReadOnlySequence<byte>(record.Encode())));
    }

    [Fact]
    public void The_ledger_round_trips_and_a_malformed_one_is_refused()
    {
        var ledger = new HandoffLedger();
        ledger.AddPending(Ticket);
        ledger.Decide("south/3", AdoptOutcome.Yes);
        ledger.Decide("south/5", AdoptOutcome.No("courier 9 is already on a shift"));
        var read = HandoffLedger.Decode(ledger.Encode());
        Assert.Equal(Ticket, Assert.Single(read.Pending));
        Assert.True(read.TryGetOutcome("south/3", out var yes) && yes.Adopted);
        Assert.True(read.TryGetOutcome("south/5", out var no) && !no.Adopted && no.Refusal == "courier 9 is already on a shift");
        Assert.False(read.TryGetOutcome("south/4", out _));
        Assert.Empty(HandoffLedger.Decode(null).Pending);
        Assert.Empty(HandoffLedger.Decode([]).Pending);
        var truncated = Assert.Throws<InvalidDataException>(() => HandoffLedger.Decode(ledger.Encode()[..^3]));
        Assert.Contains("hand-off ledger", truncated.Message);
    }
}
