using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Dispatch.Model;
using Dispatch.State;
using Dispatch.Travel;

namespace Dispatch.Engine;

public sealed partial class DispatchEngine<TTravel>
{
    private const uint SnapshotMagic = 0x504E5344; // "DSNP"
    /// <summary>5: as 4, plus the exceptions block at the end (see <see cref="WriteExceptions"/>: counters, re-makes
    /// per order, what a wrong delivery needs of a finished order). 4: as 3, plus the finished orders' history (<see cref="FinishedOrders"/>: its columns, free and waiting
    /// lists) after the order slots, and the finished-order retention queue names history entries, not order slots.
    /// 3: column by column (block copies of the struct-of-arrays stores); order and courier slots with the
    /// placement sequence, the free slots and the retention queues, the counters, released-from as a courier id. 2: per-order time windows and service minutes, the improvement moves'
    /// cursor. 1 and 2 still load (orders without windows, options' services; the cursor at the first courier;
    /// finished orders' retention counted from their drop-off, or the last tick for a cancellation).
    /// 6: as 5, plus the promises block (see DispatchEngine.Promises.cs) after the exceptions block. 7: as 6, the promises
    /// block ending with each order's planned drop-off at commit and the drift rings (promise errors learnt in two parts).
    /// 8: as 7, the promises block ending with each order's promised ready time and learnt kitchen slip and the slip ring.
    /// 9: as 8, the promises block ending with the planner's provisional matching (what the quotes read of the plan).
    /// 10: as 9, the calibration's situations split by the demand still to come, the block ending with the recent
    /// placements (older ones load with their rings spread over the demand bands and no recent placements).</summary>
    private const int SnapshotVersion = 10;

    /// <summary>
    /// Writes the engine's whole state (sites, orders, couriers with their committed routes, pending
    /// plan changes, the clock) to <paramref name="stream"/>: open work and the finished orders and couriers
    /// still retained (<see cref="DispatchOptions.FinishedOrderRetentionMinutes"/>), so its size follows open work,
    /// not history. <see cref="LoadSnapshot"/> with the same
    /// options and travel rule gives an engine that decides exactly as this one would from here on: a
    /// server restarts from a snapshot plus the journal after it instead of replaying everything.
    /// The stores are struct-of-arrays, so most of it is written a column at a time (a block copy each, little-endian
    /// as every platform .NET runs on): a server's snapshot pauses its engine thread for milliseconds.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a server's first snapshot after a start pauses it: no slow first tier
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
        int n = ss.Count;
        w.Write(n);
        var sites = new ColumnWriter(w, n);
        sites.Column(ss.Id); sites.Column(ss.X); sites.Column(ss.Y);

        var os = _s.Orders;
        n = os.Count;
        w.Write(n);
        var writer = new ColumnWriter(w, n);
        OrderColumns(_s, ref writer);
        // The open set's order decides iteration order in the tick: keep it so decisions stay identical.
        List(w, _s.OpenOrders.Items);
        // Which slots the next placements take, and which finished orders are freed first.
        List(w, os.FreeSlots);
        var hs = _s.History;
        n = hs.Count;
        w.Write(n);
        writer = new ColumnWriter(w, n);
        HistoryColumns(hs, ref writer);
        List(w, hs.FreeEntries);
        List(w, hs.Waiting);
        Queue(w, _s.Finished);
        w.Write(os.NextSeq);
        w.Write(_s.Known); w.Write(_s.Delivered); w.Write(_s.Cancelled);

        var cs = _s.Couriers;
        n = cs.Count;
        w.Write(n);
        writer = new ColumnWriter(w, n);
        CourierColumns(cs, ref writer);
        // Each route as one block of its stops as they lie in memory (fields and zeroed padding: the stores are
        // zeroed arrays and stops are built from zero-initialised values), one copy per courier.
        for (int c = 0; c < n; c++)
        {
            var route = cs.Route(c);
            w.Write(route.Length);
            w.Write(MemoryMarshal.AsBytes(route));
        }
        List(w, cs.FreeSlots);
        Queue(w, _s.Ended);

        w.Write(_s.PendingCount);
        for (int i = 0; i < _s.PendingCount; i++)
        {
            ref PlanChange p = ref _s.PendingChanges[i];
            w.Write((byte)p.Kind); w.Write(p.OrderId); w.Write(p.CourierId); w.Write(p.At);
            w.Write((byte)p.Reason); w.Write(p.PreviousTime); w.Write(p.NewTime);
        }
        w.Write(_planner.Improver?.Cursor ?? 0);
        WriteExceptions(w);
        // ---- promises (versions 6 to 9): one block, see DispatchEngine.Promises.cs
        WritePromiseBlock(w);
        // ---- end of promises
        w.Write(SnapshotMagic); // trailer: a torn snapshot is detected
    }

    /// <summary>Writes or reads one column of a store: the two directions walk the same list, so their order cannot drift apart.</summary>
    private interface IColumnVisitor
    {
        void Column<T>(T[] column) where T : unmanaged;
    }

    private readonly struct ColumnWriter(BinaryWriter w, int n) : IColumnVisitor
    {
        public void Column<T>(T[] column) where T : unmanaged => w.Write(MemoryMarshal.AsBytes(column.AsSpan(0, n)));
    }

    private readonly struct ColumnReader(BinaryReader r, int n) : IColumnVisitor
    {
        public void Column<T>(T[] column) where T : unmanaged => ReadColumn(r, column.AsSpan(0, n));
    }

    /// <summary>The order columns of a version-3 snapshot, in file order.</summary>
    private static void OrderColumns<TVisitor>(EngineState s, ref TVisitor v) where TVisitor : struct, IColumnVisitor
    {
        var os = s.Orders;
        v.Column(os.Id); v.Column(os.Seq); v.Column(os.Site);
        v.Column(os.DropX); v.Column(os.DropY); v.Column(os.PlacedAt); v.Column(os.ReadyAt);
        v.Column(os.Size); v.Column(os.Status); v.Column(os.Courier);
        v.Column(os.PlannedPickup); v.Column(os.PlannedDrop); v.Column(os.PickedAt); v.Column(os.DroppedAt);
        v.Column(s.LowerBoundDrop); v.Column(s.ReleasedFrom); v.Column(s.ReleaseReason); v.Column(s.ReportedDrop);
        v.Column(os.PickupBy); v.Column(os.DeliverAfter); v.Column(os.DeliverBy);
        v.Column(os.PickupService); v.Column(os.DropoffService);
    }

    /// <summary>The finished orders' history columns of a version-4 snapshot, in file order.</summary>
    private static void HistoryColumns<TVisitor>(FinishedOrders hs, ref TVisitor v) where TVisitor : struct, IColumnVisitor
    {
        v.Column(hs.Id); v.Column(hs.Status); v.Column(hs.CourierId);
        v.Column(hs.PlannedPickup); v.Column(hs.PlannedDrop); v.Column(hs.PickedAt); v.Column(hs.DroppedAt);
        v.Column(hs.PlacedAt); v.Column(hs.Hot);
    }

    /// <summary>The courier columns of a version-3 snapshot, in file order.</summary>
    private static void CourierColumns<TVisitor>(CourierStore cs, ref TVisitor v) where TVisitor : struct, IColumnVisitor
    {
        v.Column(cs.Id); v.Column(cs.EndedAt); v.Column(cs.X); v.Column(cs.Y); v.Column(cs.FreeAt);
        v.Column(cs.ShiftStart); v.Column(cs.ShiftEnd);
        v.Column(cs.SeenX); v.Column(cs.SeenY); v.Column(cs.SeenAt);
        v.Column(cs.LegFromX); v.Column(cs.LegFromY); v.Column(cs.LegStart); v.Column(cs.LegBase);
        v.Column(cs.Capacity); v.Column(cs.State); v.Column(cs.Delivered);
    }

    private static void List(BinaryWriter w, ReadOnlySpan<int> items)
    {
        w.Write(items.Length);
        w.Write(MemoryMarshal.AsBytes(items));
    }

    /// <summary>
    /// The queue's entries front to back, each a slot (i32) then its time (f64), gathered into one pooled block and
    /// written with one call: tens of thousands of finished orders at a busy hour made two stream writes each
    /// the largest part of a server's snapshot pause.
    /// </summary>
    private static void Queue(BinaryWriter w, RetentionQueue q)
    {
        const int EntryBytes = sizeof(int) + sizeof(double);
        int n = q.Count;
        w.Write(n);
        byte[] block = System.Buffers.ArrayPool<byte>.Shared.Rent(Math.Max(1, n * EntryBytes));
        for (int i = 0; i < n; i++)
        {
            var (slot, at) = q[i];
            var entry = block.AsSpan(i * EntryBytes, EntryBytes);
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(entry, slot);
            System.Buffers.Binary.BinaryPrimitives.WriteDoubleLittleEndian(entry[sizeof(int)..], at);
        }
        w.Write(block, 0, n * EntryBytes);
        System.Buffers.ArrayPool<byte>.Shared.Return(block);
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
            if (version >= 3) return LoadColumns(r, travel, options, lastTick, version);

            int nSites = r.ReadInt32();
            var sites = new (long Id, double X, double Y)[nSites];
            for (int i = 0; i < nSites; i++) sites[i] = (r.ReadInt64(), r.ReadDouble(), r.ReadDouble());
            int nOrders = r.ReadInt32();

            var e = new DispatchEngine<TTravel>(travel, options with
            {
                // The headroom a growing store would have (StoreGrowth), as in LoadColumns.
                InitialOrderCapacity = Math.Max(options.InitialOrderCapacity, StoreGrowth.Next(nOrders)),
                InitialSiteCapacity = Math.Max(options.InitialSiteCapacity, nSites + 1),
            });
            var s = e._s;
            foreach (var (id, x, y) in sites) s.SiteIndex[id] = s.Sites.Add(id, x, y);

            var os = s.Orders;
            // Versions 1-2 name the courier an order was released from by slot: turned into its id once couriers are read.
            var releasedSlot = new int[nOrders];
            for (int o = 0; o < nOrders; o++)
            {
                long id = r.ReadInt64();
                int site = r.ReadInt32();
                double dx = r.ReadDouble(), dy = r.ReadDouble(), placed = r.ReadDouble(), ready = r.ReadDouble();
                int size = r.ReadInt32();
                int idx = os.Add(new OrderRequest(id, s.Sites.Id[site], dx, dy, placed, ready, size), site, options.PickupServiceMinutes, options.DropoffServiceMinutes);
                os.Status[idx] = (OrderStatus)r.ReadByte();
                os.Courier[idx] = r.ReadInt32(); os.PlannedPickup[idx] = r.ReadDouble(); os.PlannedDrop[idx] = r.ReadDouble();
                os.PickedAt[idx] = r.ReadDouble(); os.DroppedAt[idx] = r.ReadDouble();
                e.GrowIfNeeded();
                s.LowerBoundDrop[idx] = r.ReadDouble(); releasedSlot[idx] = r.ReadInt32();
                s.ReleaseReason[idx] = (PlanChangeReason)r.ReadByte(); s.ReportedDrop[idx] = r.ReadDouble();
                if (version >= 2)
                {
                    os.PickupBy[idx] = r.ReadDouble(); os.DeliverAfter[idx] = r.ReadDouble(); os.DeliverBy[idx] = r.ReadDouble();
                    os.PickupService[idx] = r.ReadDouble(); os.DropoffService[idx] = r.ReadDouble();
                }
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
            // Earlier formats kept every order: all of them were placed, the finished ones start their retention.
            os.NextSeq = nOrders;
            s.Known = nOrders;
            for (int o = 0; o < nOrders; o++)
            {
                if (os.Status[o] == OrderStatus.Delivered) s.Retain(o, os.DroppedAt[o]);
                else if (os.Status[o] == OrderStatus.Cancelled) s.Retain(o, lastTick);
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
                // Off shift: its retention starts at its shift end (these formats kept every courier).
                if (cs.State[c] == CourierState.Ended) s.EndCourier(c, cs.ShiftEnd[c]);
            }
            for (int o = 0; o < nOrders; o++)
            {
                int slot = releasedSlot[o];
                if (slot < -1 || slot >= nCouriers) throw new InvalidDataException($"snapshot: order {os.Id[o]} released from courier slot {slot}; it holds {nCouriers}");
                s.ReleasedFrom[o] = slot < 0 ? -1 : cs.Id[slot];
            }

            return e.ReadTail(r, lastTick, version);
        }
        catch (EndOfStreamException ex)
        {
            throw new InvalidDataException("snapshot ends early: the file is torn", ex);
        }
    }

    /// <summary>Versions 3 and 4: columns, slots with their free lists and retention queues, counters; version 4 with
    /// the finished orders' history.</summary>
    private static DispatchEngine<TTravel> LoadColumns(BinaryReader r, TTravel travel, DispatchOptions options, double lastTick, int version)
    {
        int nSites = Count(r, "sites");
        var siteId = new long[nSites];
        var siteX = new double[nSites];
        var siteY = new double[nSites];
        var sites = new ColumnReader(r, nSites);
        sites.Column(siteId); sites.Column(siteX); sites.Column(siteY);
        int nOrders = Count(r, "order slots");
        var e = new DispatchEngine<TTravel>(travel, options with
        {
            // The headroom a growing store would have (StoreGrowth): capacity follows the snapshot's slot count smoothly,
            // not the steps of the growth sequence, and the next peak a little above the last fits without growing.
            InitialOrderCapacity = Math.Max(options.InitialOrderCapacity, StoreGrowth.Next(nOrders)),
            InitialSiteCapacity = Math.Max(options.InitialSiteCapacity, nSites + 1),
        });
        var s = e._s;
        for (int i = 0; i < nSites; i++) s.SiteIndex[siteId[i]] = s.Sites.Add(siteId[i], siteX[i], siteY[i]);

        var os = s.Orders;
        os.Count = nOrders;
        var reader = new ColumnReader(r, nOrders);
        OrderColumns(s, ref reader);
        for (int o = 0; o < nOrders; o++)
        {
            var st = os.Status[o];
            if (st == OrderStatus.Unknown) continue; // a free slot
            if (os.Site[o] < 0 || os.Site[o] >= nSites) throw new InvalidDataException($"snapshot: order {os.Id[o]} at site slot {os.Site[o]}; it holds {nSites}");
            s.OrderIndex[os.Id[o]] = o;
            switch (st)
            {
                case OrderStatus.Open: s.Open++; break;
                case OrderStatus.Assigned: s.Assigned++; break;
                case OrderStatus.PickedUp: s.PickedUp++; break;
                case OrderStatus.Delivered: case OrderStatus.Cancelled: case OrderStatus.Returned: break; // counted for good below
                default: throw new InvalidDataException($"snapshot: order {os.Id[o]} has status {(int)st}");
            }
        }
        int nOpen = Count(r, "open orders");
        for (int i = 0; i < nOpen; i++) s.OpenOrders.Add(ReadSlot(r, nOrders));
        int nFree = Count(r, "free order slots");
        for (int i = 0; i < nFree; i++) os.Free(ReadSlot(r, nOrders));
        if (version >= 4) ReadHistory(r, s, nOrders);
        else
        {
            // Version 3 kept finished orders in their slots: each takes a history entry and moves at the next tick.
            int nFinished = Count(r, "finished orders");
            for (int i = 0; i < nFinished; i++)
            {
                int o = ReadSlot(r, nOrders);
                double at = r.ReadDouble();
                if (os.Status[o] != OrderStatus.Delivered && os.Status[o] != OrderStatus.Cancelled)
                    throw new InvalidDataException($"snapshot: order {os.Id[o]} is queued as finished but is {os.Status[o]}");
                s.Retain(o, at);
            }
        }
        os.NextSeq = r.ReadInt64();
        s.Known = r.ReadInt32(); s.Delivered = r.ReadInt32(); s.Cancelled = r.ReadInt32();

        var cs = s.Couriers;
        int nCouriers = Count(r, "courier slots");
        cs.EnsureCapacity(StoreGrowth.Next(nCouriers));
        for (int k = 0; k < nCouriers; k++) cs.Add(-1);
        e.GrowIfNeeded();
        reader = new ColumnReader(r, nCouriers);
        CourierColumns(cs, ref reader);
        for (int c = 0; c < nCouriers; c++)
        {
            if (cs.Id[c] >= 0) s.CourierIndex[cs.Id[c]] = c;
            int n = r.ReadInt32();
            if (n < 0 || n > cs.MaxStops) throw new InvalidDataException($"courier {cs.Id[c]}: {n} route stops, more than {cs.MaxStops}");
            int b = c * cs.MaxStops;
            ReadColumn(r, cs.Stops.AsSpan(b, n));
            foreach (ref readonly RouteStop st in cs.Stops.AsSpan(b, n))
                if (st.Order < 0 || st.Order >= nOrders) throw new InvalidDataException($"courier {cs.Id[c]}: a stop names order slot {st.Order}; the snapshot holds {nOrders}");
            cs.RouteHead[c] = 0; cs.RouteEnd[c] = n;
        }
        for (int o = 0; o < nOrders; o++)
            if (os.Courier[o] < -1 || os.Courier[o] >= nCouriers) throw new InvalidDataException($"snapshot: order {os.Id[o]} on courier slot {os.Courier[o]}; it holds {nCouriers}");
        int nFreeCouriers = Count(r, "free courier slots");
        for (int i = 0; i < nFreeCouriers; i++) cs.Free(ReadSlot(r, nCouriers));
        int nEnded = Count(r, "couriers off shift");
        for (int i = 0; i < nEnded; i++)
        {
            int c = ReadSlot(r, nCouriers);
            s.Ended.Push(c, r.ReadDouble());
            s.EndedQueued[c] = true;
        }

        return e.ReadTail(r, lastTick, version);
    }

    /// <summary>Version 4: the finished orders' history (columns, free and waiting entries) and the retention queue of its entries.</summary>
    private static void ReadHistory(BinaryReader r, EngineState s, int nOrders)
    {
        var hs = s.History;
        int n = Count(r, "finished order entries");
        hs.EnsureCapacity(StoreGrowth.Next(n));
        hs.Count = n;
        var reader = new ColumnReader(r, n);
        HistoryColumns(hs, ref reader);
        var os = s.Orders;
        for (int h = 0; h < n; h++)
        {
            int o = hs.Hot[h];
            if (o >= 0)
            {
                // Still in the hot store (a route names it): the order index already points at its slot.
                if (o >= nOrders || os.Id[o] != hs.Id[h]) throw new InvalidDataException($"snapshot: finished order {hs.Id[h]} waits in order slot {o}, which holds another");
                continue;
            }
            var st = hs.Status[h];
            if (st == OrderStatus.Unknown) continue; // a free entry
            if (st != OrderStatus.Delivered && st != OrderStatus.Cancelled && st != OrderStatus.Returned) throw new InvalidDataException($"snapshot: finished order {hs.Id[h]} has status {(int)st}");
            s.OrderIndex[hs.Id[h]] = ~h;
        }
        var free = new int[Count(r, "free finished order entries")];
        for (int i = 0; i < free.Length; i++) free[i] = ReadEntry(r, n);
        var waiting = new int[Count(r, "waiting finished orders")];
        for (int i = 0; i < waiting.Length; i++) waiting[i] = ReadEntry(r, n);
        hs.Restore(free, waiting);
        int nFinished = Count(r, "finished orders");
        s.Finished.EnsureCapacity(hs.Capacity);
        for (int i = 0; i < nFinished; i++) { int h = ReadEntry(r, n); s.Finished.Push(h, r.ReadDouble()); }
    }

    private static int ReadEntry(BinaryReader r, int entries)
    {
        int h = r.ReadInt32();
        if (h < 0 || h >= entries) throw new InvalidDataException($"snapshot names finished order entry {h}; it holds {entries}");
        return h;
    }

    /// <summary>What every version ends with: the pending plan changes, the improvement cursor (version 2 on), the
    /// exceptions block (version 5 on), the promises block (version 6 on), the trailer; then the clock is set and the
    /// planners sized. Returns this engine.</summary>
    private DispatchEngine<TTravel> ReadTail(BinaryReader r, double lastTick, int version)
    {
        bool hasCursor = version >= 2;
        int nPending = Count(r, "pending plan changes");
        for (int i = 0; i < nPending; i++)
        {
            var kind = (PlanChangeKind)r.ReadByte();
            long orderId = r.ReadInt64(), courierId = r.ReadInt64();
            double at = r.ReadDouble();
            var reason = (PlanChangeReason)r.ReadByte();
            double prev = r.ReadDouble(), next = r.ReadDouble();
            _s.QueueChange(new PlanChange(kind, orderId, courierId, at, reason, prev, next));
        }
        int cursor = hasCursor ? r.ReadInt32() : 0;
        ReadExceptions(r, version);
        // ---- promises (versions 6 to 9): one block, see DispatchEngine.Promises.cs; older snapshots' orders have no promise
        if (version >= 6) ReadPromiseBlock(r, version);
        else ForgetPromises();
        // ---- end of promises
        if (r.ReadUInt32() != SnapshotMagic) throw new InvalidDataException("snapshot trailer missing: the file is torn");
        if (_planner.Improver is { } improver) improver.Cursor = cursor;
        _lastTick = lastTick;
        GrowIfNeeded();
        return this;
    }

    // ================================================================ format 5: exceptions (issue 12) ==========
    // One block, written after the improvement cursor and read back in the same place, so another addition to the
    // format merges beside it. Holds: the exception counters (ExceptionCounts) and the returned orders' count; each
    // order slot's re-make count; and, per finished-order history entry, what a wrong delivery needs to re-make it
    // (site slot, drop-off, size, re-makes). Snapshots before format 5 load with no exceptions counted, no re-makes,
    // and history entries marked as not re-makeable (site -1): WrongOrderDelivered refuses those, naming the format.

    private void WriteExceptions(BinaryWriter w)
    {
        w.Write(_s.FailedDeliveries); w.Write(_s.WrongDeliveries); w.Write(_s.Remakes); w.Write(_s.RemadeDelivered);
        w.Write(_s.OrderChanges); w.Write(_s.Returned);
        new ColumnWriter(w, _s.Orders.Count).Column(_s.Orders.Remakes);
        var hs = _s.History;
        var history = new ColumnWriter(w, hs.Count);
        ExceptionHistoryColumns(hs, ref history);
    }

    private void ReadExceptions(BinaryReader r, int version)
    {
        var hs = _s.History;
        if (version < 5)
        {
            hs.Site.AsSpan(0, hs.Count).Fill(-1);
            return;
        }
        _s.FailedDeliveries = r.ReadInt32(); _s.WrongDeliveries = r.ReadInt32(); _s.Remakes = r.ReadInt32(); _s.RemadeDelivered = r.ReadInt32();
        _s.OrderChanges = r.ReadInt32(); _s.Returned = r.ReadInt32();
        new ColumnReader(r, _s.Orders.Count).Column(_s.Orders.Remakes);
        var history = new ColumnReader(r, hs.Count);
        ExceptionHistoryColumns(hs, ref history);
        for (int h = 0; h < hs.Count; h++)
        {
            if (hs.Hot[h] >= 0 || hs.Status[h] == OrderStatus.Unknown) continue; // waiting (the hot slot answers) or free
            if (hs.Site[h] < -1 || hs.Site[h] >= _s.Sites.Count) throw new InvalidDataException($"snapshot: finished order {hs.Id[h]} at site slot {hs.Site[h]}; it holds {_s.Sites.Count}");
        }
    }

    private static void ExceptionHistoryColumns<TVisitor>(FinishedOrders hs, ref TVisitor v) where TVisitor : struct, IColumnVisitor
    {
        v.Column(hs.Site); v.Column(hs.DropX); v.Column(hs.DropY); v.Column(hs.Size); v.Column(hs.Remakes);
    }
    // ================================================================ end of format 5 ===========================

    private static int Count(BinaryReader r, string what)
    {
        int n = r.ReadInt32();
        if (n < 0) throw new InvalidDataException($"snapshot: {n} {what}");
        return n;
    }

    private static void ReadColumn<T>(BinaryReader r, Span<T> column) where T : unmanaged
    {
        var bytes = MemoryMarshal.AsBytes(column);
        while (bytes.Length > 0)
        {
            int k = r.Read(bytes);
            if (k == 0) throw new EndOfStreamException();
            bytes = bytes[k..];
        }
    }

    private static int ReadSlot(BinaryReader r, int slots)
    {
        int o = r.ReadInt32();
        if (o < 0 || o >= slots) throw new InvalidDataException($"snapshot names order slot {o}; it holds {slots}");
        return o;
    }
}
