using Dispatch.Model;
using Dispatch.State;
using Dispatch.Travel;

namespace Dispatch.Engine;

public sealed partial class DispatchEngine<TTravel>
{
    private const uint SnapshotMagic = 0x504E5344; // "DSNP"
    /// <summary>3: order slots with their placement sequence, the free slots and the finished-order queue
    /// (retention), the counters. 2: per-order time windows and service minutes, the improvement moves'
    /// cursor. 1 and 2 still load (orders without windows, options' services; the cursor at the first courier;
    /// finished orders' retention counted from their drop-off, or the last tick for a cancellation).</summary>
    private const int SnapshotVersion = 3;

    /// <summary>
    /// Writes the engine's whole state (sites, orders, couriers with their committed routes, pending
    /// plan changes, the clock) to <paramref name="stream"/>: open work and the finished orders still
    /// retained (<see cref="DispatchOptions.FinishedOrderRetentionMinutes"/>), so its size follows open work,
    /// not history. <see cref="LoadSnapshot"/> with the same
    /// options and travel rule gives an engine that decides exactly as this one would from here on: a
    /// server restarts from a snapshot plus the journal after it instead of replaying everything.
    /// Not for the hot path (it writes everything).
    /// </summary>
    public void SaveSnapshot(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var w = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        w.Write(SnapshotMagic);
        w.Write(SnapshotVersion);
        w.Write((byte)Options.Profile);
        w.Write(Options.MaxRouteStops);
        w.Write(_lastTick);

        var ss = _s.Sites;
        w.Write(ss.Count);
        for (int i = 0; i < ss.Count; i++) { w.Write(ss.Id[i]); w.Write(ss.X[i]); w.Write(ss.Y[i]); }

        var os = _s.Orders;
        w.Write(os.Count);
        for (int o = 0; o < os.Count; o++)
        {
            w.Write(os.Id[o]); w.Write(os.Seq[o]); w.Write(os.Site[o]); w.Write(os.DropX[o]); w.Write(os.DropY[o]);
            w.Write(os.PlacedAt[o]); w.Write(os.ReadyAt[o]); w.Write(os.Size[o]); w.Write((byte)os.Status[o]);
            w.Write(os.Courier[o]); w.Write(os.PlannedPickup[o]); w.Write(os.PlannedDrop[o]);
            w.Write(os.PickedAt[o]); w.Write(os.DroppedAt[o]);
            w.Write(_s.LowerBoundDrop[o]); w.Write(_s.ReleasedFrom[o]); w.Write((byte)_s.ReleaseReason[o]); w.Write(_s.ReportedDrop[o]);
            w.Write(os.PickupBy[o]); w.Write(os.DeliverAfter[o]); w.Write(os.DeliverBy[o]);
            w.Write(os.PickupService[o]); w.Write(os.DropoffService[o]);
        }
        // The open set's order decides iteration order in the tick: keep it so decisions stay identical.
        var open = _s.OpenOrders.Items;
        w.Write(open.Length);
        foreach (int o in open) w.Write(o);
        // Which slot the next placements take, and which finished orders are freed first.
        var free = os.FreeSlots;
        w.Write(free.Length);
        foreach (int o in free) w.Write(o);
        w.Write(_s.Finished.Count);
        for (int i = 0; i < _s.Finished.Count; i++) { var (o, at) = _s.Finished[i]; w.Write(o); w.Write(at); }
        w.Write(os.NextSeq);
        w.Write(_s.Known); w.Write(_s.Delivered); w.Write(_s.Cancelled);

        var cs = _s.Couriers;
        w.Write(cs.Count);
        for (int c = 0; c < cs.Count; c++)
        {
            w.Write(cs.Id[c]); w.Write(cs.X[c]); w.Write(cs.Y[c]); w.Write(cs.FreeAt[c]);
            w.Write(cs.ShiftStart[c]); w.Write(cs.ShiftEnd[c]);
            w.Write(cs.SeenX[c]); w.Write(cs.SeenY[c]); w.Write(cs.SeenAt[c]);
            w.Write(cs.LegFromX[c]); w.Write(cs.LegFromY[c]); w.Write(cs.LegStart[c]); w.Write(cs.LegBase[c]);
            w.Write(cs.Capacity[c]); w.Write((byte)cs.State[c]); w.Write(cs.Delivered[c]);
            var route = cs.Route(c);
            w.Write(route.Length);
            foreach (ref readonly RouteStop r in route)
            {
                w.Write(r.Order); w.Write((byte)r.Kind); w.Write(r.X); w.Write(r.Y);
                w.Write(r.Departure); w.Write(r.Arrival); w.Write(r.ServiceAt); w.Write(r.Leave); w.Write(r.Done);
            }
        }

        w.Write(_s.PendingCount);
        for (int i = 0; i < _s.PendingCount; i++)
        {
            ref PlanChange p = ref _s.PendingChanges[i];
            w.Write((byte)p.Kind); w.Write(p.OrderId); w.Write(p.CourierId); w.Write(p.At);
            w.Write((byte)p.Reason); w.Write(p.PreviousTime); w.Write(p.NewTime);
        }
        w.Write(_planner.Improver?.Cursor ?? 0);
        w.Write(SnapshotMagic); // trailer: a torn snapshot is detected
    }

    /// <summary>
    /// Rebuilds an engine from a snapshot written by <see cref="SaveSnapshot"/>. Throws
    /// <see cref="InvalidDataException"/> on a file that is not a snapshot, of an unknown version, torn, or
    /// taken under another profile or route size. A snapshot of the previous format (version 1, before
    /// per-order time windows) loads with no windows and the options' service minutes on every order.
    /// </summary>
    public static DispatchEngine<TTravel> LoadSnapshot(Stream stream, TTravel travel, DispatchOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        options ??= new DispatchOptions();
        using var r = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        try
        {
            if (r.ReadUInt32() != SnapshotMagic) throw new InvalidDataException("not a dispatch engine snapshot");
            int version = r.ReadInt32();
            if (version < 1 || version > SnapshotVersion) throw new InvalidDataException($"snapshot version {version}; this engine reads versions 1 to {SnapshotVersion}");
            var profile = (DispatchProfile)r.ReadByte();
            int maxStops = r.ReadInt32();
            if (profile != options.Profile || maxStops != options.MaxRouteStops)
                throw new InvalidDataException($"snapshot taken under profile {profile} with {maxStops} route stops; the options say {options.Profile} and {options.MaxRouteStops}");
            double lastTick = r.ReadDouble();

            int nSites = r.ReadInt32();
            var sites = new (long Id, double X, double Y)[nSites];
            for (int i = 0; i < nSites; i++) sites[i] = (r.ReadInt64(), r.ReadDouble(), r.ReadDouble());
            int nOrders = r.ReadInt32();

            var e = new DispatchEngine<TTravel>(travel, options with
            {
                InitialOrderCapacity = Math.Max(options.InitialOrderCapacity, nOrders + 1),
                InitialSiteCapacity = Math.Max(options.InitialSiteCapacity, nSites + 1),
            });
            var s = e._s;
            foreach (var (id, x, y) in sites) s.SiteIndex[id] = s.Sites.Add(id, x, y);

            var os = s.Orders;
            for (int o = 0; o < nOrders; o++)
            {
                long id = r.ReadInt64();
                long seq = version >= 3 ? r.ReadInt64() : o;
                int site = r.ReadInt32();
                double dx = r.ReadDouble(), dy = r.ReadDouble(), placed = r.ReadDouble(), ready = r.ReadDouble();
                int size = r.ReadInt32();
                // A free slot (version 3) holds id -1 and status Unknown: added as a placeholder, freed below.
                int idx = os.Add(new OrderRequest(Math.Max(id, 0), site < s.Sites.Count ? s.Sites.Id[site] : 0, dx, dy, placed, ready, Math.Max(size, 1)), site, options.PickupServiceMinutes, options.DropoffServiceMinutes);
                os.Id[idx] = id;
                os.Seq[idx] = seq;
                os.Status[idx] = (OrderStatus)r.ReadByte();
                os.Courier[idx] = r.ReadInt32(); os.PlannedPickup[idx] = r.ReadDouble(); os.PlannedDrop[idx] = r.ReadDouble();
                os.PickedAt[idx] = r.ReadDouble(); os.DroppedAt[idx] = r.ReadDouble();
                e.GrowIfNeeded();
                s.LowerBoundDrop[idx] = r.ReadDouble(); s.ReleasedFrom[idx] = r.ReadInt32();
                s.ReleaseReason[idx] = (PlanChangeReason)r.ReadByte(); s.ReportedDrop[idx] = r.ReadDouble();
                if (version >= 2)
                {
                    os.PickupBy[idx] = r.ReadDouble(); os.DeliverAfter[idx] = r.ReadDouble(); os.DeliverBy[idx] = r.ReadDouble();
                    os.PickupService[idx] = r.ReadDouble(); os.DropoffService[idx] = r.ReadDouble();
                }
                if (os.Status[idx] == OrderStatus.Unknown) continue;
                s.OrderIndex[id] = idx;
                switch (os.Status[idx])
                {
                    case OrderStatus.Open: s.Open++; break;
                    case OrderStatus.Assigned: s.Assigned++; break;
                    case OrderStatus.PickedUp: s.PickedUp++; break;
                    case OrderStatus.Delivered: s.Delivered++; break;
                    case OrderStatus.Cancelled: s.Cancelled++; break;
                }
            }
            int nOpen = r.ReadInt32();
            for (int i = 0; i < nOpen; i++) s.OpenOrders.Add(ReadSlot(r, nOrders));
            if (version >= 3)
            {
                int nFree = r.ReadInt32();
                for (int i = 0; i < nFree; i++) os.Free(ReadSlot(r, nOrders));
                int nFinished = r.ReadInt32();
                for (int i = 0; i < nFinished; i++) { int o = ReadSlot(r, nOrders); s.Finished.Push(o, r.ReadDouble()); }
                os.NextSeq = r.ReadInt64();
                s.Known = r.ReadInt32(); s.Delivered = r.ReadInt32(); s.Cancelled = r.ReadInt32();
            }
            else
            {
                // Earlier formats kept every order: all of them were placed, the finished ones start their retention.
                os.NextSeq = nOrders;
                s.Known = nOrders;
                for (int o = 0; o < nOrders; o++)
                {
                    if (os.Status[o] == OrderStatus.Delivered) s.Retain(o, os.DroppedAt[o]);
                    else if (os.Status[o] == OrderStatus.Cancelled) s.Retain(o, lastTick);
                }
            }

            int nCouriers = r.ReadInt32();
            var cs = s.Couriers;
            for (int k = 0; k < nCouriers; k++)
            {
                long id = r.ReadInt64();
                int c = cs.Add(id);
                s.CourierIndex[id] = c;
                e.GrowIfNeeded();
                cs.X[c] = r.ReadDouble(); cs.Y[c] = r.ReadDouble(); cs.FreeAt[c] = r.ReadDouble();
                cs.ShiftStart[c] = r.ReadDouble(); cs.ShiftEnd[c] = r.ReadDouble();
                cs.SeenX[c] = r.ReadDouble(); cs.SeenY[c] = r.ReadDouble(); cs.SeenAt[c] = r.ReadDouble();
                cs.LegFromX[c] = r.ReadDouble(); cs.LegFromY[c] = r.ReadDouble(); cs.LegStart[c] = r.ReadDouble(); cs.LegBase[c] = r.ReadDouble();
                cs.Capacity[c] = r.ReadInt32(); cs.State[c] = (CourierState)r.ReadByte(); cs.Delivered[c] = r.ReadInt32();
                int n = r.ReadInt32();
                if (n < 0 || n > cs.MaxStops) throw new InvalidDataException($"courier {id}: {n} route stops, more than {cs.MaxStops}");
                int b = c * cs.MaxStops;
                for (int i = 0; i < n; i++)
                {
                    ref RouteStop st = ref cs.Stops[b + i];
                    st.Order = r.ReadInt32(); st.Kind = (StopKind)r.ReadByte(); st.X = r.ReadDouble(); st.Y = r.ReadDouble();
                    st.Departure = r.ReadDouble(); st.Arrival = r.ReadDouble(); st.ServiceAt = r.ReadDouble(); st.Leave = r.ReadDouble(); st.Done = r.ReadBoolean();
                }
                cs.RouteHead[c] = 0; cs.RouteEnd[c] = n;
            }

            int nPending = r.ReadInt32();
            for (int i = 0; i < nPending; i++)
            {
                var kind = (PlanChangeKind)r.ReadByte();
                long orderId = r.ReadInt64(), courierId = r.ReadInt64();
                double at = r.ReadDouble();
                var reason = (PlanChangeReason)r.ReadByte();
                double prev = r.ReadDouble(), next = r.ReadDouble();
                s.QueueChange(new PlanChange(kind, orderId, courierId, at, reason, prev, next));
            }
            int cursor = version >= 2 ? r.ReadInt32() : 0;
            if (r.ReadUInt32() != SnapshotMagic) throw new InvalidDataException("snapshot trailer missing: the file is torn");
            if (e._planner.Improver is { } improver) improver.Cursor = cursor;
            e._lastTick = lastTick;
            e.GrowIfNeeded();
            return e;
        }
        catch (EndOfStreamException ex)
        {
            throw new InvalidDataException("snapshot ends early: the file is torn", ex);
        }
    }

    private static int ReadSlot(BinaryReader r, int slots)
    {
        int o = r.ReadInt32();
        if (o < 0 || o >= slots) throw new InvalidDataException($"snapshot names order slot {o}; it holds {slots}");
        return o;
    }
}
