using Dispatch.Protocol;
using Dispatch.Server.Journal;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dispatch.Server.Tests;

public class JournalTests : IDisposable
{
    private readonly string _dir = TestServer.NewDataDirectory();
    private string PathOf => Path.Combine(_dir, JournalFormat.FileName);

    public JournalTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => TestServer.TryDelete(_dir);

    private static readonly Command[] Records =
    [
        Command.AddSite(1, 1, 10, 20),
        Command.CourierOnShift(2, 10, 1, 2, 0, 100),
        Command.PlaceOrder(3, 100, 1, 5, 6, 0, 10),
        Command.Tick(0, 1),
        Command.ConfirmPickup(4, 100, 12.5),
    ];

    private void Write(IEnumerable<Command> commands, FsyncPolicy policy = FsyncPolicy.Always)
    {
        using var w = new JournalWriter(PathOf, 0, 1234, 0, policy, TimeSpan.FromMilliseconds(10));
        double now = 0;
        foreach (var c in commands) { w.Append(now++, c); w.Commit(); }
    }

    private (List<(double, Command)> Got, JournalRecovery Recovery) Replay()
    {
        var got = new List<(double, Command)>();
        var r = JournalReader.Replay(PathOf, (now, c) => got.Add((now, c)), NullLogger.Instance);
        return (got, r);
    }

    [Fact]
    public void Crc32_matches_the_standard_check_value() =>
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));

    [Fact]
    public void Records_replay_in_order_with_their_times()
    {
        Write(Records);
        var (got, r) = Replay();
        Assert.Equal(Records.Select((c, i) => ((double)i, c)), got);
        Assert.Equal((true, 1234L, (long)Records.Length, 0L, (string?)null), (r.Exists, r.EpochUnixMs, r.Records, r.DiscardedBytes, r.Problem));
    }

    [Fact]
    public void A_missing_journal_replays_nothing()
    {
        var (got, r) = Replay();
        Assert.Empty(got);
        Assert.False(r.Exists);
    }

    [Fact]
    public void A_tail_cut_at_every_byte_of_the_last_record_keeps_the_others_and_the_writer_continues()
    {
        Write(Records);
        byte[] full = File.ReadAllBytes(PathOf);
        Write(Records.Take(Records.Length - 1));
        int lastStart = (int)new FileInfo(PathOf).Length;
        for (int cut = lastStart + 1; cut < full.Length; cut++)
        {
            File.WriteAllBytes(PathOf, full.AsSpan(0, cut).ToArray());
            var (got, r) = Replay();
            Assert.Equal(Records.Length - 1, got.Count);
            Assert.Equal(lastStart, r.GoodLength);
            Assert.NotNull(r.Problem);

            // The writer cuts the torn tail and appends after the last good record.
            using (var w = new JournalWriter(PathOf, r.GoodLength, r.EpochUnixMs, r.Records, FsyncPolicy.Never, TimeSpan.Zero))
            {
                w.Append(99, Command.CancelOrder(0, 100));
                w.Commit();
            }
            var (again, r2) = Replay();
            Assert.Equal(Records.Length, again.Count);
            Assert.Equal((99.0, Command.CancelOrder(0, 100)), again[^1]);
            Assert.Null(r2.Problem);
        }
    }

    [Fact]
    public void A_flipped_byte_is_caught_by_the_crc()
    {
        Write(Records);
        byte[] bytes = File.ReadAllBytes(PathOf);
        bytes[^3] ^= 0x40;
        File.WriteAllBytes(PathOf, bytes);
        var (got, r) = Replay();
        Assert.Equal(Records.Length - 1, got.Count);
        Assert.Equal("CRC mismatch", r.Problem);
    }

    [Fact]
    public void An_unusable_header_is_moved_aside_not_crashed_on()
    {
        File.WriteAllBytes(PathOf, "not a journal at all"u8.ToArray());
        var (got, r) = Replay();
        Assert.Empty(got);
        Assert.False(r.Exists);
        Assert.False(File.Exists(PathOf));
        Assert.Single(Directory.GetFiles(_dir, JournalFormat.FileName + ".bad-*"));
    }
}
