using System.Buffers;
using MessagePack;

namespace Dispatch.Cluster.Handoff;

/// <summary>
/// A region's side of its hand-offs, rebuilt from its journal and carried in its snapshots: the tickets it released and
/// has not completed (the courier is still this region's until the destination adopts it), and the outcome of every
/// hand-off it was asked to adopt (so a repeated Adopt gets the first answer and never puts a courier on shift twice).
/// Decided ids are kept for good: a region sees a few hundred to a few thousand hand-offs a day, tens of bytes each
/// (pruning them is left; docs/cluster.md).
/// </summary>
public sealed class HandoffLedger
{
    private const int Version = 1;
    private readonly Dictionary<string, HandoffTicket> _pending = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AdoptOutcome> _decided = new(StringComparer.Ordinal);

    /// <summary>Released, not completed (in no particular order).</summary>
    public IReadOnlyCollection<HandoffTicket> Pending => _pending.Values;

    /// <summary>Hand-offs this region answered (adopted or refused).</summary>
    public int Decided => _decided.Count;

    /// <summary>The pending ticket with <paramref name="id"/>.</summary>
    public bool TryGetPending(string id, out HandoffTicket ticket) => _pending.TryGetValue(id, out ticket!);

    /// <summary>This region's answer to hand-off <paramref name="id"/>, if it gave one.</summary>
    public bool TryGetOutcome(string id, out AdoptOutcome outcome) => _decided.TryGetValue(id, out outcome!);

    /// <summary>The pending ticket that moves <paramref name="courierId"/>, or null (a scan: pending tickets are few).</summary>
    public HandoffTicket? Leaving(long courierId) => _pending.Values.FirstOrDefault(t => t.CourierId == courierId);

    internal void AddPending(HandoffTicket ticket) => _pending[ticket.Id] = ticket;

    internal void RemovePending(string id) => _pending.Remove(id);

    internal void Decide(string id, AdoptOutcome outcome) => _decided[id] = outcome;

    /// <summary>The ledger's bytes for a snapshot.</summary>
    public byte[] Encode()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        var w = new MessagePackWriter(buffer);
        w.WriteArrayHeader(3);
        w.Write(Version);
        w.WriteArrayHeader(_pending.Count);
        foreach (var t in _pending.Values.OrderBy(t => t.Id, StringComparer.Ordinal)) w.Write(new HandoffRecord(HandoffRecordKind.Released, t).Encode());
        w.WriteArrayHeader(_decided.Count);
        foreach (var (id, o) in _decided.OrderBy(d => d.Key, StringComparer.Ordinal))
        {
            w.WriteArrayHeader(3);
            w.Write(id);
            w.Write(o.Adopted);
            w.Write(o.Refusal);
        }
        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The ledger in <paramref name="bytes"/> (null or empty: an empty ledger, a snapshot taken before hand-offs existed).</summary>
    public static HandoffLedger Decode(byte[]? bytes)
    {
        var ledger = new HandoffLedger();
        if (bytes is null || bytes.Length == 0) return ledger;
        try
        {
            var r = new MessagePackReader(bytes);
            if (r.ReadArrayHeader() != 3) throw new InvalidDataException("hand-off ledger: expected 3 fields");
            int version = r.ReadInt32();
            if (version != Version) throw new InvalidDataException($"hand-off ledger: version {version}, this build reads {Version}");
            int pending = r.ReadArrayHeader();
            for (int i = 0; i < pending; i++)
            {
                var raw = r.ReadBytes() ?? throw new InvalidDataException($"hand-off ledger: pending #{i} is nil");
                if (!HandoffRecord.TryRead(raw.ToArray(), out var record)) throw new InvalidDataException($"hand-off ledger: pending #{i} is not a hand-off record");
                ledger.AddPending(record.Ticket);
            }
            int decided = r.ReadArrayHeader();
            for (int i = 0; i < decided; i++)
            {
                if (r.ReadArrayHeader() != 3) throw new InvalidDataException($"hand-off ledger: decided #{i}: expected 3 fields");
                string id = r.ReadString() ?? throw new InvalidDataException($"hand-off ledger: decided #{i}: id is nil");
                bool adopted = r.ReadBoolean();
                string? refusal = r.ReadString();
                ledger.Decide(id, adopted ? AdoptOutcome.Yes : AdoptOutcome.No(refusal ?? ""));
            }
            return ledger;
        }
        catch (MessagePackSerializationException ex)
        {
            throw new InvalidDataException($"hand-off ledger: {ex.Message}", ex);
        }
        catch (EndOfStreamException ex)
        {
            throw new InvalidDataException($"hand-off ledger: truncated ({ex.Message})", ex);
        }
    }
}
