using Dispatch.Protocol;
using Dispatch.Server.Journal;
using Microsoft.Extensions.Logging.Abstractions;

namespace Dispatch.Server.Tests;

public class JournalTests : IDisposable
{
    private readonly string _dir = TestServer.NewDataDirectory();
    private string FirstSegment => Path.Combine(_dir, JournalFormat.SegmentFileName(0));

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

    private static readonly JournalRecovery Fresh = new(false, 0, 0, 0, 0, null) { LastRecordSegment = -1 };

    private JournalWriter Open(JournalRecovery recovery, FsyncPolicy policy = FsyncPolicy.Always, long segmentBytes = 1 << 20) =>
        new(_dir, recovery, recovery.Exists ? recovery.EpochUnixMs : 1234, policy, TimeSpan.FromMilliseconds(10), segmentBytes);

    private void Write(IEnumerable<Command> commands, FsyncPolicy policy = FsyncPolicy.Always)
    {
        using var w = Open(Fresh, policy);
        double now = 0;
        foreach (var c in commands) { w.Append(now++, c); w.Commit(); }
    }

    private (List<(double, Command)> Got, JournalRecovery Recovery) Replay(JournalPosition? start = null)
    {
        var got = new List<(double, Command)>();
        var r = JournalReader.Replay(_dir, (now, c) => got.Add((now, c)), NullLogger.Instance, start);
        return (got, r);
    }

    private long[] SegmentBases() => JournalSegment.List(_dir).Select(s => s.BaseRecords).ToArray();

    /// <summary>
    /// A roll leaves the old segment's file open for the sync side to fsync and close (the engine thread neither
    /// closes nor syncs), but never more than a few: rolls with no fsync between them (Fsync=Never, no snapshots)
    /// do not pile up open files, and a sync afterwards still reaches every segment.
    /// </summary>
    [Fact]
    public void Rolled_segments_are_synced_and_closed_off_the_roll_and_never_pile_up_open()
    {
        if (!OperatingSystem.IsLinux()) return; // open descriptors are read from /proc/self/fd
        // This test's own segment files only: other tests run in parallel in the same process.
        int OpenFiles()
        {
            int n = 0;
            foreach (var fd in Directory.GetFiles("/proc/self/fd"))
            {
                try { if (new FileInfo(fd).LinkTarget is { } target && target.StartsWith(_dir, StringComparison.Ordinal)) n++; }
                catch (IOException) { } // closed meanwhile
            }
            return n;
        }
        var w = Open(Fresh, FsyncPolicy.Never);
        int before = OpenFiles();
        for (int i = 0; i < 60; i++)
        {
            w.Append(i, Command.Tick(0, i));
            w.Commit();
            w.Roll();
        }
        Assert.InRange(OpenFiles() - before, 0, 17); // the current segment and at most 16 rolled ones
        Assert.Equal(61, SegmentBases().Length);
        w.SyncWritten();
        Assert.InRange(OpenFiles() - before, 0, 2); // synced and closed, the current segment's sync handle aside
        w.Dispose();
        var (got, r) = Replay();
        Assert.Equal(60, got.Count);
        Assert.Null(r.Problem);
    }

    [Fact]
    public void Crc32_matches_the_standard_check_value() =>
        Assert.Equal(0xCBF43926u, Crc32.Compute("123456789"u8));

    [Fact]
    public void Crc32_equals_the_byte_at_a_time_definition_at_every_length_and_split()
    {
        // The reference: the bitwise definition, one byte at a time (what every journal and snapshot on disk carries).
        static uint Reference(ReadOnlySpan<byte> data)
        {
            uint c = 0xFFFFFFFF;
            foreach (byte b in data)
            {
                c ^= b;
                for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }
            return ~c;
        }
        var random = new Random(13);
        var data = new byte[300];
        random.NextBytes(data);
        for (int length = 0; length <= data.Length; length++)
        {
            var span = data.AsSpan(0, length);
            uint expected = Reference(span);
            Assert.Equal(expected, Crc32.Compute(span));
            int split = length == 0 ? 0 : random.Next(length + 1);
            Assert.Equal(expected, Crc32.Append(Crc32.Compute(span[..split]), span[split..]));
        }
    }

    [Fact]
    public void Records_replay_in_order_with_their_times()
    {
        Write(Records);
        var (got, r) = Replay();
        Assert.Equal(Records.Select((c, i) => ((double)i, c)), got);
        Assert.Equal((true, 1234L, (long)Records.Length, 0L, (string?)null), (r.Exists, r.EpochUnixMs, r.Records, r.DiscardedBytes, r.Problem));
        Assert.Equal([0L], SegmentBases());
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
        byte[] full = File.ReadAllBytes(FirstSegment);
        File.Delete(FirstSegment);
        Write(Records.Take(Records.Length - 1));
        int lastStart = (int)new FileInfo(FirstSegment).Length;
        for (int cut = lastStart + 1; cut < full.Length; cut++)
        {
            File.WriteAllBytes(FirstSegment, full.AsSpan(0, cut).ToArray());
            var (got, r) = Replay();
            Assert.Equal(Records.Length - 1, got.Count);
            Assert.Equal(lastStart, r.GoodLength);
            Assert.NotNull(r.Problem);

            // The writer cuts the torn tail and appends after the last good record.
            using (var w = Open(r, FsyncPolicy.Never))
            {
                w.Append(99, Command.CancelOrder(0, 100));
                w.Commit();
            }
            var (again, r2) = Replay();
            Assert.Equal(Records.Length, again.Count);
            Assert.Equal((99.0, Command.CancelOrder(0, 100)), again[^1]);
            Assert.Null(r2.Problem);
            Assert.Equal([0L], SegmentBases());
        }
    }

    [Fact]
    public void A_flipped_byte_is_caught_by_the_crc()
    {
        Write(Records);
        byte[] bytes = File.ReadAllBytes(FirstSegment);
        bytes[^3] ^= 0x40;
        File.WriteAllBytes(FirstSegment, bytes);
        var (got, r) = Replay();
        Assert.Equal(Records.Length - 1, got.Count);
        Assert.Equal("CRC mismatch", r.Problem);
    }

    [Fact]
    public void An_unusable_header_is_moved_aside_not_crashed_on()
    {
        File.WriteAllBytes(FirstSegment, "not a journal at all"u8.ToArray());
        var (got, r) = Replay();
        Assert.Empty(got);
        Assert.False(r.Exists);
        Assert.False(File.Exists(FirstSegment));
        Assert.Single(Directory.GetFiles(_dir, JournalFormat.SegmentFileName(0) + ".bad-*"));
    }

    /// <summary>Writes <paramref name="count"/> orders with a commit each into 4 KiB segments; returns the commands.</summary>
    private List<Command> WriteSegmented(int count, long segmentBytes = 4096)
    {
        var written = new List<Command>();
        using var w = Open(Fresh, FsyncPolicy.Never, segmentBytes);
        for (int i = 0; i < count; i++)
        {
            var c = Command.PlaceOrder(0, 1000 + i, 1, i, 2 * i, i, i + 5);
            w.Append(i, c);
            w.Commit();
            written.Add(c);
        }
        return written;
    }

    [Fact]
    public void Segments_roll_at_the_size_limit_are_named_by_the_records_before_them_and_replay_in_order()
    {
        var written = WriteSegmented(400);
        var bases = SegmentBases();
        Assert.True(bases.Length >= 3, string.Join(",", bases));
        Assert.Equal(0, bases[0]);
        Assert.All(JournalSegment.List(_dir).SkipLast(1), s => Assert.InRange(new FileInfo(s.Path).Length, 4096, 4096 + 100));
        var (got, r) = Replay();
        Assert.Equal(written.Select((c, i) => ((double)i, c)), got);
        Assert.Equal((400L, (string?)null), (r.Records, r.Problem));

        // A scan knows each segment boundary from both sides, and replay can start at either.
        long boundary = bases[1];
        var scan = JournalReader.Scan(_dir, [boundary, boundary + 3]);
        var atEnd = scan.Positions[boundary];
        Assert.Equal((0L, false), (atEnd.SegmentBase, atEnd.AtSegmentStart));
        File.Delete(Path.Combine(_dir, JournalFormat.SegmentFileName(0)));
        scan = JournalReader.Scan(_dir, [boundary, boundary + 3]);
        var atStart = scan.Positions[boundary];
        Assert.Equal((boundary, true, atEnd.LastCrc), (atStart.SegmentBase, atStart.AtSegmentStart, atStart.LastCrc));
        Assert.Equal(boundary, scan.FirstRecord);
        var (tail, r2) = Replay(atStart);
        Assert.Equal(written.Skip((int)boundary), tail.Select(t => t.Item2));
        Assert.Equal(400 - boundary, r2.Replayed);

        // Without a start, a journal whose first records were compacted away is refused, not half-replayed.
        var ex = Assert.Throws<JournalDamagedException>(() => Replay());
        Assert.Contains($"starts at record {boundary + 1}", ex.Message);
    }

    [Fact]
    public void Damage_is_a_torn_tail_only_in_the_last_segment_elsewhere_recovery_refuses()
    {
        WriteSegmented(300);
        var segs = JournalSegment.List(_dir);
        Assert.True(segs.Count >= 3);

        // The last segment torn: its intact part is kept, as with one file.
        using (var f = new FileStream(segs[^1].Path, FileMode.Open)) f.SetLength(f.Length - 3);
        var (got, r) = Replay();
        Assert.Equal(299, got.Count);
        Assert.NotNull(r.Problem);
        Assert.Equal(segs[^1], r.Tail);

        // A middle segment damaged: later segments hold acknowledged records, so it is refused.
        byte[] middle = File.ReadAllBytes(segs[1].Path);
        middle[^2] ^= 0x10;
        File.WriteAllBytes(segs[1].Path, middle);
        var ex = Assert.Throws<JournalDamagedException>(() => Replay());
        Assert.Contains("CRC mismatch", ex.Message);
        Assert.Contains("later segments follow", ex.Message);
        middle[^2] ^= 0x10;
        File.WriteAllBytes(segs[1].Path, middle);

        // A missing middle segment: a gap.
        File.Move(segs[1].Path, segs[1].Path + ".away");
        ex = Assert.Throws<JournalDamagedException>(() => Replay());
        Assert.Contains("does not continue", ex.Message);
    }

    [Fact]
    public void A_segment_torn_while_being_created_is_set_aside_and_the_writer_starts_it_again()
    {
        var written = WriteSegmented(150);
        long records = 150;
        string torn = Path.Combine(_dir, JournalFormat.SegmentFileName(records));
        if (File.Exists(torn)) File.Delete(torn); // (only if the last commit happened to roll)
        File.WriteAllBytes(torn, "DSPJ\u0002\0"u8.ToArray());
        var (got, r) = Replay();
        Assert.Equal(150, got.Count);
        Assert.Null(r.Tail);
        using (var w = Open(r, FsyncPolicy.Never))
        {
            w.Append(500, Command.CancelOrder(0, 1000));
            w.Commit();
        }
        var (again, r2) = Replay();
        Assert.Equal(written.Append(Command.CancelOrder(0, 1000)), again.Select(g => g.Item2));
        Assert.Null(r2.Problem);
    }

    [Fact]
    public void A_legacy_single_file_journal_replays_and_new_records_go_to_a_segment_after_it()
    {
        var legacy = Records.Select((c, i) => ((double)i, c)).ToArray();
        LegacyJournal.Write(_dir, 777, legacy);
        string legacyPath = Path.Combine(_dir, JournalFormat.LegacyFileName);
        File.AppendAllText(legacyPath, "\u0009torn"); // a torn tail, as a crash of the old server leaves it
        var (got, r) = Replay();
        Assert.Equal(legacy, got);
        Assert.Equal((777L, 5L), (r.EpochUnixMs, r.Records));
        Assert.NotNull(r.Problem);

        using (var w = Open(r, FsyncPolicy.Never))
        {
            w.Append(10, Command.CancelOrder(0, 100));
            w.Commit();
        }
        Assert.Equal([0L, 5L], SegmentBases());
        var (again, r2) = Replay();
        Assert.Equal(legacy.Append((10.0, Command.CancelOrder(0, 100))), again);
        Assert.Equal((777L, 6L, (string?)null), (r2.EpochUnixMs, r2.Records, r2.Problem));
    }

    [Fact]
    public void Compaction_removes_only_segments_wholly_covered_or_archives_them()
    {
        WriteSegmented(400);
        var bases = SegmentBases();
        using var w = Open(Replay().Recovery, FsyncPolicy.Never, 4096);
        long total = w.BytesOnDisk;
        Assert.Equal(Directory.EnumerateFiles(_dir, "journal-*").Sum(f => new FileInfo(f).Length), total);

        // Covered up to one record before the third segment: only the first goes.
        Assert.Equal(1, w.RemoveCovered(bases[2] - 1, null, NullLogger.Instance));
        Assert.Equal(bases.Skip(1), SegmentBases());
        // Archived instead of deleted.
        string archive = Path.Combine(_dir, "archive");
        Assert.Equal(1, w.RemoveCovered(bases[2], archive, NullLogger.Instance));
        Assert.Equal(bases.Skip(2), SegmentBases());
        Assert.True(File.Exists(Path.Combine(archive, JournalFormat.SegmentFileName(bases[1]))));
        // The current segment is never removed.
        w.RemoveCovered(long.MaxValue, null, NullLogger.Instance);
        Assert.Equal([bases[^1]], SegmentBases());
        Assert.Equal(new FileInfo(Path.Combine(_dir, JournalFormat.SegmentFileName(bases[^1]))).Length, w.BytesOnDisk);
    }
}
