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
        ledger.Decide("south/3", AdoptOutcome.Yes, 600);
        ledger.Decide("south/5", AdoptOutcome.No("courier 9 is already on a shift"), 900);
        var gone = Ticket with { Id = "north/40", CourierId = 8 };
        ledger.AddDeparted(gone);
        var read = HandoffLedger.Decode(ledger.Encode());
        Assert.Equal(Ticket, Assert.Single(read.Pending));
        Assert.Equal(gone, read.Departed(8, 599));
        Assert.True(read.TryGetOutcome("south/3", out var yes) && yes.Adopted);
        Assert.True(read.TryGetOutcome("south/5", out var no) && !no.Adopted && no.Refusal == "courier 9 is already on a shift");
        Assert.False(read.TryGetOutcome("south/4", out _));
        Assert.Empty(HandoffLedger.Decode(null).Pending);
        Assert.Empty(HandoffLedger.Decode([]).Pending);
        var truncated = Assert.Throws<InvalidDataException>(() => HandoffLedger.Decode(ledger.Encode()[..^3]));
        Assert.Contains("hand-off ledger", truncated.Message);
    }

    [Fact]
    public void A_departed_courier_counts_while_its_shift_there_runs_and_decided_ids_are_pruned_a_day_after_the_shift()
    {
        var ledger = new HandoffLedger();
        ledger.AddDeparted(Ticket);
        ledger.Decide("south/3", AdoptOutcome.Yes, 600);
        Assert.Equal(Ticket, ledger.Departed(7, 599.9));
        Assert.Null(ledger.Departed(7, 600));
        Assert.Null(ledger.Departed(8, 0));

        ledger.Prune(599);
        Assert.Equal((1, 1), (ledger.DepartedCount, ledger.Decided));
        ledger.Prune(600);
        Assert.Equal((0, 1), (ledger.DepartedCount, ledger.Decided));
        ledger.Prune(600 + HandoffLedger.DecidedKeepMinutes - 1);
        Assert.True(ledger.TryGetOutcome("south/3", out _));
        ledger.Prune(600 + HandoffLedger.DecidedKeepMinutes);
        Assert.False(ledger.TryGetOutcome("south/3", out _));
    }

    [Fact]
    public void A_version_1_ledger_still_loads()
    {
        // Version 1 (before departed couriers and pruning): [1, pending, decided [id, adopted, refusal]].
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var w = new MessagePack.MessagePackWriter(buffer);
        w.WriteArrayHeader(3);
        w.Write(1);
        w.WriteArrayHeader(1);
        w.Write(new HandoffRecord(HandoffRecordKind.Released, Ticket).Encode());
        w.WriteArrayHeader(1);
        w.WriteArrayHeader(3);
        w.Write("south/3");
        w.Write(true);
        w.WriteNil();
        w.Flush();
        var read = HandoffLedger.Decode(buffer.WrittenSpan.ToArray());
        Assert.Equal(Ticket, Assert.Single(read.Pending));
        Assert.True(read.TryGetOutcome("south/3", out var o) && o.Adopted);
        Assert.Equal(0, read.DepartedCount);
        // Its shift end is unknown: kept.
        read.Prune(1e9);
        Assert.True(read.TryGetOutcome("south/3", out _));
    }
}
