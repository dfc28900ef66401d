using System.Buffers;
using MessagePack;

namespace Dispatch.Cluster.Handoff;

/// <summary>
/// One hand-off step as a region journal record: <c>[200, kind, ticket fields..., refusal]</c> in MessagePack. Type 200
/// is no protocol message type, so the wire codec refuses it: a client can never send one, and a region's replay tells
/// them from commands by the first element (<see cref="TryRead"/>). It carries the whole ticket at every step, so replay
/// needs nothing but the record.
/// </summary>
public sealed record HandoffRecord(HandoffRecordKind Kind, HandoffTicket Ticket, string? Refusal = null)
{
    /// <summary>The first element of every hand-off record (beyond the protocol's message types, which end below 128).</summary>
    public const int Marker = 200;

    private const int Fields = 14;

    /// <summary>The record's bytes.</summary>
    public byte[] Encode()
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        var w = new MessagePackWriter(buffer);
        var t = Ticket;
        w.WriteArrayHeader(Fields);
        w.Write(Marker);
        w.Write((int)Kind);
        w.Write(t.Id);
        w.Write(t.From);
        w.Write(t.To);
        w.Write(t.CourierId);
        w.Write(t.X);
        w.Write(t.Y);
        w.Write(t.ShiftStart);
        w.Write(t.ShiftEnd);
        w.Write(t.Capacity);
        w.Write(t.ReleasedAt);
        w.Write((int)t.Reason);
        w.Write(Refusal);
        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The hand-off record in <paramref name="payload"/>, or false when it is something else (a protocol command).
    /// Throws <see cref="InvalidDataException"/> for a record that starts as one and is malformed.
    /// </summary>
    public static bool TryRead(ReadOnlyMemory<byte> payload, out HandoffRecord record)
    {
        record = null!;
        var r = new MessagePackReader(payload);
        try
        {
            if (r.NextMessagePackType != MessagePackType.Array) return false;
            int n = r.ReadArrayHeader();
            if (n == 0 || r.NextMessagePackType != MessagePackType.Integer) return false;
            if (r.ReadInt32() != Marker) return false;
            if (n != Fields) throw new InvalidDataException($"hand-off record: {n} fields, expected {Fields}");
            var kind = (HandoffRecordKind)r.ReadInt32();
            if (!Enum.IsDefined(kind)) throw new InvalidDataException($"hand-off record: kind {(int)kind} is not one of {string.Join(", ", Enum.GetNames<HandoffRecordKind>())}");
            var ticket = new HandoffTicket
            {
                Id = r.ReadString() ?? throw new InvalidDataException("hand-off record: field id is nil"),
                From = r.ReadString() ?? throw new InvalidDataException("hand-off record: field from is nil"),
                To = r.ReadString() ?? throw new InvalidDataException("hand-off record: field to is nil"),
                CourierId = r.ReadInt64(),
                X = r.ReadDouble(),
                Y = r.ReadDouble(),
                ShiftStart = r.ReadDouble(),
                ShiftEnd = r.ReadDouble(),
                Capacity = r.ReadInt32(),
                ReleasedAt = r.ReadDouble(),
                Reason = (HandoffReason)r.ReadInt32(),
            };
            record = new HandoffRecord(kind, ticket, r.ReadString());
            return true;
        }
        catch (MessagePackSerializationException ex)
        {
            throw new InvalidDataException($"hand-off record: {ex.Message}", ex);
        }
        catch (EndOfStreamException ex)
        {
            throw new InvalidDataException($"hand-off record: truncated ({ex.Message})", ex);
        }
    }
}
