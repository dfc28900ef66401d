using System.Text;
using System.Text.Json;
using Dispatch.Model;
using Dispatch.Server.LiveView;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dispatch.Server.Tests.LiveView;

/// <summary>
/// What one feed message carries (the projection without HTTP): the latest state of each order or courier that changed
/// in the interval once, a re-timing only when it is news, the interval's exceptions summarised per kind when many,
/// and every fold counted.
/// </summary>
public class LiveFeedDeltaTests
{
    private readonly LiveRing _ring = new(1024);
    private readonly LivePositions _positions = new();
    private readonly LiveEtaLog _etas = new(1024);
    private readonly LiveViewStats _stats = new();
    private readonly LiveProjection _p;
    private long _seen;

    public LiveFeedDeltaTests()
    {
        _p = new LiveProjection(_ring, _positions, _etas, _stats, 16, timelineMinutes: 60, NullLogger.Instance);
        _stats.Opened(); // someone watches: the messages are formatted
    }

    [Fact]
    public void An_order_re_timed_many_times_is_one_entry_and_small_re_timings_are_not_news()
    {
        _ring.Write(new LiveEvent { Kind = LiveEventKind.SiteAdded, At = 100, Id = 1, X = 0, Y = 0 });
        _ring.Write(new LiveEvent { Kind = LiveEventKind.CourierOnShift, At = 100, Id = 7, X = 5, Y = 5, T1 = 0, T2 = 600 });
        _ring.Write(new LiveEvent { Kind = LiveEventKind.OrderPlaced, At = 100, Id = 10, Other = 1, X = 50, Y = 60, T1 = 100, T2 = 105, Value = 200 });
        _ring.Write(new LiveEvent { Kind = LiveEventKind.Assignment, At = 100, Id = 7, Count = 2, T1 = 100 });
        _ring.Write(new LiveEvent { Kind = LiveEventKind.Stop, At = 100, Id = 10, Other = 1, Count = 1, X = 0, Y = 0, T1 = 110 });
        _ring.Write(new LiveEvent { Kind = LiveEventKind.Stop, At = 100, Id = 10, Other = 1, Count = 2, X = 50, Y = 60, T1 = 140 });
        _positions.Report(7, 6, 6, 100);
        _positions.Report(7, 7, 7, 100.5);
        using (var m = Next())
        {
            var order = Assert.Single(m.RootElement.GetProperty("o").EnumerateArray());
            Assert.Equal("[10,50,60,200,140,7,1]", order.GetRawText()); // assigned to 7, drop-off 140
            var courier = Assert.Single(m.RootElement.GetProperty("c").EnumerateArray());
            Assert.Equal("[7,7,7,100.5,0,600,2,1,0,0,110]", courier.GetRawText()); // latest position, next stop the pickup
            Assert.Equal(0, m.RootElement.GetProperty("p").GetArrayLength()); // its move rides in its "c" entry
            Assert.True(m.RootElement.TryGetProperty("kpi", out _));
        }
        Assert.Equal(1, _stats.PositionsSampled);

        // Twenty re-timings within the interval, ending 1.5 minutes from what the browsers know, same colour: not news.
        for (int i = 1; i <= 20; i++) _etas.Write(new PlanChange(PlanChangeKind.EtaChanged, 10, 7, 101, PlanChangeReason.CourierAhead, 140 + (i - 1) * 0.075, 140 + i * 0.075), _ring.Head);
        using (var m = TryNext()) // nothing else changed: no message at all
            Assert.False(m is not null && m.RootElement.TryGetProperty("o", out var os) && os.GetArrayLength() > 0, "a 1.5-minute re-timing is not news");
        Assert.Equal(19, _stats.EtasFolded);
        Assert.Equal(1, _stats.EtasNotNews);
        string timeline = Encoding.UTF8.GetString(_p.Timeline(order: true, 10));
        Assert.Contains("(20 re-timings folded)", timeline);

        // Five minutes later than the browsers know: news, once.
        _etas.Write(new PlanChange(PlanChangeKind.EtaChanged, 10, 7, 102, PlanChangeReason.CourierBehind, 141.5, 145), _ring.Head);
        using (var m = Next())
            Assert.Equal("[10,50,60,200,145,7,1]", Assert.Single(m.RootElement.GetProperty("o").EnumerateArray()).GetRawText());

        // A route read from the ring after an ETA change was written is newer: the older change does not overwrite it.
        _etas.Write(new PlanChange(PlanChangeKind.EtaChanged, 10, 7, 103, PlanChangeReason.CourierAhead, 145, 120), _ring.Head);
        _ring.Write(new LiveEvent { Kind = LiveEventKind.Assignment, At = 103, Id = 7, Count = 1, Flag = true, T1 = 103 });
        _ring.Write(new LiveEvent { Kind = LiveEventKind.Stop, At = 103, Id = 10, Other = 1, Count = 2, X = 50, Y = 60, T1 = 150 });
        using (var m = Next())
            Assert.Equal("[10,50,60,200,150,7,1]", Assert.Single(m.RootElement.GetProperty("o").EnumerateArray()).GetRawText());

        // Couriers that only moved: id steps in id order and the report's age before t (103).
        _ring.Write(new LiveEvent { Kind = LiveEventKind.CourierOnShift, At = 103, Id = 4, X = 1, Y = 1, T1 = 0, T2 = 600 });
        Next().Dispose();
        _positions.Report(7, 8, 9, 102.75);
        _positions.Report(4, 2, 3, 103);
        using (var m = Next())
            Assert.Equal("[4,2,3,0,3,8,9,0.25]", m.RootElement.GetProperty("p").GetRawText());

        // The whole picture a new browser starts from says what the others were told.
        var (state, _) = _p.State();
        using var s = JsonDocument.Parse(state);
        Assert.Equal(1, s.RootElement.GetProperty("all").GetInt32());
        Assert.Equal("[10,50,60,200,150,7,1]", Assert.Single(s.RootElement.GetProperty("o").EnumerateArray()).GetRawText());
    }

    [Fact]
    public void Many_exceptions_of_a_kind_in_one_interval_are_one_summary_line_and_a_few_are_each_a_line()
    {
        _ring.Write(new LiveEvent { Kind = LiveEventKind.SiteAdded, At = 100, Id = 1 });
        for (int i = 0; i < 8; i++) // promised at 50, now 100: late
            _ring.Write(new LiveEvent { Kind = LiveEventKind.OrderPlaced, At = 100, Id = 20 + i, Other = 1, X = i, Y = i, T1 = 40, T2 = 45, Value = 50 });
        for (int i = 0; i < 2; i++)
            _ring.Write(new LiveEvent { Kind = LiveEventKind.PlanChange, At = 100, Id = 20 + i, Other = 3, Count = (int)PlanChangeKind.Released, Reason = (byte)PlanChangeReason.CourierOffline });
        using var m = Next();
        var lines = m.RootElement.GetProperty("x").EnumerateArray().ToArray();
        var late = Assert.Single(lines, l => l[2].GetString() == "late");
        Assert.Equal(8, late[5].GetInt32());
        Assert.StartsWith("8 orders past their promise: 27, 26, 25, 24, 23, 22, …", late[6].GetString());
        Assert.Equal(2, lines.Count(l => l[2].GetString() == "released" && l[5].GetInt32() == 1));
        Assert.Equal(8, _stats.ExceptionsSummarised);
        // Each one is in its order's timeline in full.
        Assert.Contains("order 27 past its promise 0:50", Encoding.UTF8.GetString(_p.Timeline(order: true, 27)));
    }

    /// <summary>Runs a publishing pass and parses the message it published.</summary>
    [Fact]
    public void Timelines_of_orders_and_couriers_that_left_are_dropped_once_the_engine_forgets_them_too()
    {
        _ring.Write(new LiveEvent { Kind = LiveEventKind.SiteAdded, At = 100, Id = 1, X = 0, Y = 0 });
        _ring.Write(new LiveEvent { Kind = LiveEventKind.CourierOnShift, At = 100, Id = 7, X = 5, Y = 5, T1 = 0, T2 = 600 });
        _ring.Write(new LiveEvent { Kind = LiveEventKind.OrderPlaced, At = 100, Id = 10, Other = 1, X = 50, Y = 60, T1 = 100, T2 = 105, Value = 200 });
        _ring.Write(new LiveEvent { Kind = LiveEventKind.OrderPlaced, At = 100, Id = 11, Other = 1, X = 50, Y = 60, T1 = 100, T2 = 105, Value = 200 });
        _ring.Write(new LiveEvent { Kind = LiveEventKind.OrderCancelled, At = 110, Id = 10 });
        _ring.Write(new LiveEvent { Kind = LiveEventKind.CourierOffShift, At = 120, Id = 7 });
        Next().Dispose();
        bool Has(bool order, long id) => JsonDocument.Parse(_p.Timeline(order, id)).RootElement.GetProperty("timeline").GetArrayLength() > 0;
        Assert.True(Has(true, 10) && Has(true, 11) && Has(false, 7));

        // 60 minutes after it left, each is still there; past that, the one that left is gone, the open order stays.
        _ring.Write(new LiveEvent { Kind = LiveEventKind.Tick, At = 169 });
        Next().Dispose();
        Assert.True(Has(true, 10) && Has(false, 7));
        _ring.Write(new LiveEvent { Kind = LiveEventKind.Tick, At = 175 });
        TryNext()?.Dispose();
        Assert.False(Has(true, 10));
        Assert.True(Has(true, 11));
        Assert.True(Has(false, 7)); // left at 120: kept until 180
        _ring.Write(new LiveEvent { Kind = LiveEventKind.CourierOnShift, At = 150, Id = 7, X = 5, Y = 5, T1 = 150, T2 = 600 }); // back on a new shift
        _ring.Write(new LiveEvent { Kind = LiveEventKind.Tick, At = 185 });
        TryNext()?.Dispose();
        Assert.True(Has(false, 7)); // came back: its timeline goes on
    }

    private JsonDocument Next()
    {
        var m = TryNext();
        Assert.NotNull(m);
        return m;
    }

    /// <summary>Runs a publishing pass and parses the message it published; null when it had nothing to say.</summary>
    private JsonDocument? TryNext()
    {
        _p.Pass();
        if (_p.Broadcast.Next == _seen) return null;
        Assert.Equal(LiveBroadcast.ChunkState.Ready, _p.Broadcast.TryGet(_seen, out var chunk, out _));
        _seen++;
        string text = Encoding.UTF8.GetString(chunk!);
        Assert.StartsWith("data: ", text);
        return JsonDocument.Parse(text["data: ".Length..].Trim());
    }
}
