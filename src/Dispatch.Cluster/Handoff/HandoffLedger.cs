using System.Buffers;
using MessagePack;

namespace Dispatch.Cluster.Handoff;

/// <summary>
/// A region's side of its hand-offs, rebuilt from its journal and carried in its snapshots: the tickets it released and
/// has not completed (the courier is still this region's until the destination adopts it), the outcome of every
/// hand-off it was asked to adopt (so a repeated Adopt gets the first answer and never puts a courier on shift twice),
/// and the couriers it handed away whose shift there still runs (so a command sent here for one of them is refused,
/// naming the region that holds it, instead of a position being lost or a new shift putting it in two regions).
/// </summary>
/// <remarks>
/// Pruned as records apply (<see cref="Prune"/>, on the region's clock, so a region rebuilt from its journal prunes at
/// the same records as the live one): a departed courier once its shift there has ended, and a decided id
/// <see cref="DecidedKeepMinutes"/> after its courier's shift ended. A repeated Adopt comes only from a round that holds
/// the ticket, and the source's pending ticket is completed at the first round that reaches both regions; a day after
/// the shift ended, an Adopt of that ticket would put on shift a courier whose shift is over (docs/cluster.md).
/// </remarks>
public sealed class HandoffLedger
{
    private const int Version = 2;

    /// <summary>How long a decided hand-off id is remembered after its courier's shift ended: a day of the region's clock.</summary>
    public const double DecidedKeepMinutes = 24 * 60;

    private readonly Dictionary<string, HandoffTicket> _pending = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (AdoptOutcome Outcome, double ShiftEnd)> _decided = new(StringComparer.Ordinal);
    private readonly Dictionary<long, HandoffTicket> _departed = [];

    /// <summary>Released, not completed (in no particular order).</summary>
    public IReadOnlyCollection<HandoffTicket> Pending => _pending.Values;

    /// <summary>Hand-offs this region answered (adopted or refused) and still remembers.</summary>
    public int Decided => _decided.Count;

    /// <summary>Couriers handed away whose shift in the other region may still run (pruned as records apply).</summary>
    public int DepartedCount => _departed.Count;

    /// <summary>The pending ticket with <paramref name="id"/>.</summary>
    public bool TryGetPending(string id, out HandoffTicket ticket) => _pending.TryGetValue(id, out ticket!);

    /// <summary>This region's answer to hand-off <paramref name="id"/>, if it gave one (and has not pruned it).</summary>
    public bool TryGetOutcome(string id, out AdoptOutcome outcome)
    {
        bool known = _decided.TryGetValue(id, out var d);
        outcome = d.Outcome!;
        return known;
    }

    /// <summary>The pending ticket that moves <paramref name="courierId"/>, or null (a scan: pending tickets are few).</summary>
    public HandoffTicket? Leaving(long courierId) => _pending.Values.FirstOrDefault(t => t.CourierId == courierId);

    /// <summary>
    /// The completed hand-off that took <paramref name="courierId"/> to another region, while its shift there runs at
    /// <paramref name="now"/>; null otherwise (never handed away, back here since, or that shift is over).
    /// </summary>
    public HandoffTicket? Departed(long courierId, double now) =>
        _departed.TryGetValue(courierId, out var t) && now < t.ShiftEnd ? t : null;

    internal void AddPending(HandoffTicket ticket) => _pending[ticket.Id] = ticket;

    internal void RemovePending(string id) => _pending.Remove(id);

    internal void Decide(string id, AdoptOutcome outcome, double shiftEnd) => _decided[id] = (outcome, shiftEnd);

    internal void AddDeparted(HandoffTicket ticket) => _departed[ticket.CourierId] = ticket;

    internal void RemoveDeparted(long courierId) => _departed.Remove(courierId);

    /// <summary>Forgets what <paramref name="now"/> makes useless: departed couriers whose shift ended, decided ids a day after theirs.</summary>
    internal void Prune(double now)
    {
        List<long>? gone = null;
        foreach (var (courier, t) in _departed)
            if (now >= t.ShiftEnd) (gone ??= []).Add(courier);
        if (gone is not null) foreach (var c in gone) _departed.Remove(c);
        List<string>? old = null;
        foreach (var (id, d) in _decided)
            if (now >= d.ShiftEnd + DecidedKeepMinutes) (old ??= []).Add(id);
        if (old is not null) foreach (var id in old) _decided.Remove(id);
    }

    /// <summary>The ledger's bytes for a snapshot: <c>[2, pending records, decided [id, adopted, refusal, shiftEnd], departed records]</c>.</summary>
    public byte[] Encode()
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        var w = new MessagePackWriter(buffer);
        w.WriteArrayHeader(4);
        w.Write(Version);
        w.WriteArrayHeader(_pending.Count);
        foreach (var t in _pending.Values.OrderBy(t => t.Id, StringComparer.Ordinal)) w.Write(new HandoffRecord(HandoffRecordKind.Released, t).Encode());
        w.WriteArrayHeader(_decided.Count);
        foreach (var (id, d) in _decided.OrderBy(d => d.Key, StringComparer.Ordinal))
        {
            w.WriteArrayHeader(4);
            w.Write(id);
            w.Write(d.Outcome.Adopted);
            w.Write(d.Outcome.Refusal);
            w.Write(d.ShiftEnd);
        }
        w.WriteArrayHeader(_departed.Count);
        foreach (var t in _departed.Values.OrderBy(t => t.CourierId)) w.Write(new HandoffRecord(HandoffRecordKind.Completed, t).Encode());
        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>
    /// The ledger in <paramref name="bytes"/> (null or empty: an empty ledger, a snapshot taken before hand-offs existed).
    /// Reads version 1 too (no departed couriers; its decided ids are kept until the region's journal prunes nothing of them).
    /// </summary>
    public static HandoffLedger Decode(byte[]? bytes)
    {
        var ledger = new HandoffLedger();
        if (bytes is null || bytes.Length == 0) return ledger;
        try
        {
            var r = new MessagePackReader(bytes);
            int fields = r.ReadArrayHeader();
            if (fields is not (3 or 4)) throw new InvalidDataException($"hand-off ledger: expected 3 or 4 fields, found {fields}");
            int version = r.ReadInt32();
            if (version != (fields == 3 ? 1 : Version)) throw new InvalidDataException($"hand-off ledger: version {version} with {fields} fields; this build reads 1 (3 fields) and {Version} (4)");
            int pending = r.ReadArrayHeader();
            for (int i = 0; i < pending; i++) ledger.AddPending(ReadTicket(ref r, "pending", i));
            int decided = r.ReadArrayHeader();
            int decidedFields = version == 1 ? 3 : 4;
            for (int i = 0; i < decided; i++)
            {
                if (r.ReadArrayHeader() != decidedFields) throw new InvalidDataException($"hand-off ledger: decided #{i}: expected {decidedFields} fields");
                string id = r.ReadString() ?? throw new InvalidDataException($"hand-off ledger: decided #{i}: id is nil");
                bool adopted = r.ReadBoolean();
                string? refusal = r.ReadString();
                double shiftEnd = version == 1 ? double.PositiveInfinity : r.ReadDouble();
                ledger.Decide(id, adopted ? AdoptOutcome.Yes : AdoptOutcome.No(refusal ?? ""), shiftEnd);
            }
            if (version >= 2)
            {
                int departed = r.ReadArrayHeader();
                for (int i = 0; i < departed; i++) ledger.AddDeparted(ReadTicket(ref r, "departed", i));
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

    private static HandoffTicket ReadTicket(ref MessagePackReader r, string list, int i)
    {
        var raw = r.ReadBytes() ?? throw new InvalidDataException($"hand-off ledger: {list} #{i} is nil");
        if (!HandoffRecord.TryRead(raw.ToArray(), out var record)) throw new InvalidDataException($"hand-off ledger: {list} #{i} is not a hand-off record");
        return record.Ticket;
    }
}
