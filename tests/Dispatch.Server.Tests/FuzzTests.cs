using System.Diagnostics;
using System.Net.Sockets;
using Dispatch.Protocol;
using Dispatch.Fuzzing;
using MessagePack;
using Xunit.Abstractions;

namespace Dispatch.Server.Tests;

/// <summary>Random and mutated frames for a bounded time; the server must still answer a valid client.</summary>
public class FuzzTests(ITestOutputHelper output)
{
    private static readonly Command[] Seeds =
    [
        Command.Hello(1, "fuzz", true), Command.Ping(2), Command.Subscribe(3, true), Command.AddSite(4, 1, 0, 0),
        Command.PlaceOrder(5, 1, 1, 5, 5, 0, 3), Command.ChangeReadyTime(6, 1, 4), Command.CancelOrder(7, 1),
        Command.CourierOnShift(8, 1, 0, 0, 0, 100), Command.CourierOffShift(9, 1), Command.UpdateCourierPosition(10, 1, 1, 1),
        Command.ConfirmPickup(11, 1, 5), Command.ConfirmDropoff(12, 1, 6), Command.Tick(13, 1), Command.GetOrder(14, 1),
        Command.GetCourier(15, 1), Command.GetCounts(16), Command.GetMetrics(17), Command.GetServerStats(18),
    ];

    private static byte[] Mutate(Random rng, int maxFrame)
    {
        switch (rng.Next(6))
        {
            case 0: // pure noise
            {
                var b = new byte[rng.Next(1, 64)];
                rng.NextBytes(b);
                return b;
            }
            case 1: // valid prefix, noise payload
            {
                var p = new byte[rng.Next(1, 200)];
                rng.NextBytes(p);
                return RawConnection.RawFrame(p);
            }
            case 2: // a valid frame with a few bytes flipped (payload only: keeps framing)
            {
                var f = RawConnection.Frame(Seeds[rng.Next(Seeds.Length)] with { RequestId = (uint)rng.Next() });
                for (int k = rng.Next(1, 4); k > 0; k--) f[4 + rng.Next(f.Length - 4)] ^= (byte)rng.Next(1, 256);
                return f;
            }
            case 3: // a valid frame cut short, then a whole valid frame (desynchronises framing on purpose)
            {
                var f = RawConnection.Frame(Seeds[rng.Next(Seeds.Length)]);
                return f.AsSpan(0, rng.Next(1, f.Length)).ToArray().Concat(RawConnection.Frame(Command.Ping(1))).ToArray();
            }
            case 4: // well-formed MessagePack with wrong types and random tags, including deep nesting
            {
                var buf = new FrameBuffer();
                var w = new MessagePackWriter(buf);
                int n = rng.Next(0, 12);
                w.WriteArrayHeader(n);
                for (int i = 0; i < n; i++)
                {
                    switch (rng.Next(6))
                    {
                        case 0: w.Write(rng.Next(-5, 100)); break;
                        case 1: w.Write(rng.NextDouble() < 0.3 ? double.NaN : rng.NextDouble() * 1e6 - 1e3); break;
                        case 2: w.Write("s" + rng.Next()); break;
                        case 3: w.WriteNil(); break;
                        case 4: w.Write(rng.Next(2) == 0); break;
                        default: for (int d = 0; d < 200; d++) w.WriteArrayHeader(1); w.Write(1); break;
                    }
                }
                w.Flush();
                return RawConnection.RawFrame(buf.WrittenSpan);
            }
            default: // a length prefix just above the limit
                return [(byte)(maxFrame >> 24), (byte)(maxFrame >> 16), (byte)(maxFrame >> 8), (byte)((maxFrame & 0xFF) + 1)];
        }
    }

    [Fact]
    public async Task Random_and_mutated_frames_never_stop_the_server()
    {
        int seed = Environment.TickCount;
        var rng = new Random(seed);
        await using var s = await TestServer.StartAsync(o => { o.MaxFrameBytes = 4096; o.HandshakeTimeout = TimeSpan.FromSeconds(2); });
        var sw = Stopwatch.StartNew();
        int connections = 0, frames = 0;
        while (sw.Elapsed < TimeSpan.FromSeconds(2.5) && connections < 2000)
        {
            connections++;
            using var raw = await s.RawAsync();
            if (rng.Next(3) > 0) await raw.SendAsync(Command.Hello(1, "fuzz", rng.Next(2) == 0));
            try
            {
                for (int k = rng.Next(1, 20); k > 0; k--)
                {
                    await raw.SendAsync(Mutate(rng, s.Options.MaxFrameBytes));
                    frames++;
                }
            }
            catch (SocketException)
            {
                // The server closed this one already: expected for many inputs.
            }
            if (rng.Next(2) == 0) raw.Socket.Shutdown(SocketShutdown.Both); // else: abrupt close by Dispose
        }

        Assert.False(s.Server.Completion.IsCompleted, $"engine stopped (seed {seed})");
        await using var c = await s.ConnectAsync();
        await c.PingAsync();
        await c.AddSiteAsync(987_654_321, 1, 2);
        Assert.True((await c.GetCountsAsync()).Known >= 0);
        Assert.True(frames > 0, $"seed {seed}");
    }

    /// <summary>
    /// The bar: at least 100,000 bad frames, the server alive and correct afterwards. Four
    /// connections pipeline well-framed bad messages (each answered with an error, reading every reply),
    /// two loops open connections that send connection-killing garbage meanwhile; then a valid client
    /// places a site, a courier and an order and reads them back.
    /// </summary>
    [Fact]
    public async Task A_hundred_thousand_bad_frames_leave_the_server_alive_and_correct()
    {
        const int seed = 20261126;
        const long target = 100_000;
        output.WriteLine($"seed {seed}");
        await using var s = await TestServer.StartAsync(o => { o.MaxFrameBytes = 4096; o.HandshakeTimeout = TimeSpan.FromSeconds(5); });
        var settings = new FuzzSettings(s.Port, target, seed, KeepOpenConnections: 4, KillerLoops: 2, Window: 256, MaxFrameBytes: s.Options.MaxFrameBytes);
        var result = await BadFrameFuzzer.RunAsync(settings).WaitAsync(TimeSpan.FromSeconds(60));
        output.WriteLine($"{result.KeepOpenFrames:N0} bad frames on open connections, {result.Replies:N0} replies ({result.ErrorReplies:N0} errors), "
            + $"{result.KillerConnections:N0} killed connections ({result.KillerFrames:N0} frames, {result.KillerCloseChecks:N0} closes checked) in {result.Elapsed.TotalSeconds:F1} s");
        foreach (var m in result.InternalErrors) output.WriteLine("Internal: " + m);
        output.WriteLine(string.Join(", ", result.ErrorCodes.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key} {kv.Value:N0}")));

        Assert.True(result.KeepOpenFrames >= target, $"only {result.KeepOpenFrames} bad frames sent (seed {seed})");
        Assert.Equal(result.KeepOpenFrames, result.Replies); // one reply per frame, none lost
        Assert.True(result.ErrorReplies >= result.Replies * 8 / 10, $"{result.ErrorReplies} errors of {result.Replies} replies (seed {seed})");
        Assert.True(result.ErrorCodes.GetValueOrDefault(ErrorCode.MalformedMessage) > 0 && result.ErrorCodes.GetValueOrDefault(ErrorCode.UnknownMessageType) > 0
            && result.ErrorCodes.GetValueOrDefault(ErrorCode.InvalidValue) > 0 && result.ErrorCodes.GetValueOrDefault(ErrorCode.UnknownId) > 0,
            "every kind of bad message was tried");
        Assert.True(result.KillerConnections > 0 && result.KillerCloseChecks > 0, $"killer connections {result.KillerConnections}, checked {result.KillerCloseChecks}");

        Assert.False(s.Server.Completion.IsCompleted, $"engine stopped (seed {seed})");
        var check = await BadFrameFuzzer.CheckServerAsync(s.Port, idBase: 9_000_000_000).WaitAsync(TestServer.Timeout);
        var problems = BadFrameFuzzer.Problems(check, 9_000_000_000, minFramesIn: target);
        Assert.True(problems.Count == 0, $"seed {seed}: " + string.Join("; ", problems));
        Assert.True(check.Metrics.FramesIn >= target, $"server counted {check.Metrics.FramesIn} frames in");
        Assert.Equal(WireOrderStatus.Open, check.Order.Status);
    }
}
