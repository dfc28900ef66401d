using System.Buffers;
using System.Buffers.Binary;
using Dispatch.Server.Journal;
using Microsoft.Extensions.Logging;

namespace Dispatch.Server.Snapshots;

/// <summary>A snapshot file found in the data directory; <see cref="Header"/> is null when it cannot be read (<see cref="Problem"/> says why).</summary>
internal sealed record SnapshotFile(string Path, long Sequence, SnapshotHeader? Header, string? Problem);

/// <summary>
/// The snapshot files of a data directory: written atomically (temporary file, fsync, rename,
/// directory fsync), listed newest first, checked end to end before use, and pruned to the newest
/// <c>keep</c>. Snapshots are a cache of the journal: any snapshot that cannot be trusted is simply
/// not used, and the journal (the source of truth) is replayed instead.
/// </summary>
internal sealed class SnapshotStore(string directory, int keep, ILogger log)
{
    public string Directory { get; } = directory;

    /// <summary>Removes temporary files left by a snapshot that was being written when the process died.</summary>
    public void DeleteTemporaryFiles()
    {
        foreach (var tmp in System.IO.Directory.EnumerateFiles(Directory, SnapshotFormat.Prefix + "*" + SnapshotFormat.Extension + SnapshotFormat.TempSuffix))
        {
            try
            {
                File.Delete(tmp);
                log.LogInformation("Deleted {Path}, an unfinished snapshot", tmp);
            }
            catch (IOException ex) { log.LogWarning("Could not delete unfinished snapshot {Path}: {Message}", tmp, ex.Message); }
        }
    }

    /// <summary>Every snapshot file with its header (or the reason it has none), newest (most records) first.</summary>
    public List<SnapshotFile> List()
    {
        var all = new List<SnapshotFile>();
        foreach (var path in System.IO.Directory.EnumerateFiles(Directory, SnapshotFormat.Prefix + "*" + SnapshotFormat.Extension))
        {
            if (!SnapshotFormat.TryParseFileName(System.IO.Path.GetFileName(path), out long seq)) continue;
            SnapshotHeader? header = null;
            string? problem;
            try
            {
                using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 4096);
                if (SnapshotFormat.TryReadHeader(f, out header, out problem) && header!.JournalRecords != seq)
                {
                    problem = $"its header covers {header.JournalRecords} journal records but its name says {seq}";
                    header = null;
                }
            }
            catch (IOException ex) { problem = ex.Message; }
            catch (UnauthorizedAccessException ex) { problem = ex.Message; }
            all.Add(new SnapshotFile(path, seq, header, problem));
        }
        all.Sort((a, b) => b.Sequence.CompareTo(a.Sequence));
        return all;
    }

    /// <summary>
    /// Checks the whole file: the trailer is there, the body is exactly as long as the trailer says and
    /// its CRC matches. Done before the engine sees a byte of it, so a torn or damaged body is never parsed.
    /// </summary>
    public static bool VerifyBody(string path, SnapshotHeader header, out string? problem)
    {
        using var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        long bodyLength = f.Length - header.Length - SnapshotFormat.TrailerBytes;
        if (bodyLength <= 0) { problem = $"file is {f.Length} bytes: no engine state after the header (torn)"; return false; }
        Span<byte> trailer = stackalloc byte[SnapshotFormat.TrailerBytes];
        f.Seek(-SnapshotFormat.TrailerBytes, SeekOrigin.End);
        f.ReadExactly(trailer);
        if (!trailer[12..].SequenceEqual(SnapshotFormat.TrailerMagic)) { problem = "trailer missing (torn)"; return false; }
        long expected = BinaryPrimitives.ReadInt64LittleEndian(trailer);
        if (expected != bodyLength) { problem = $"engine state is {bodyLength} bytes, the trailer says {expected} (torn)"; return false; }
        uint crc = 0;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            f.Seek(header.Length, SeekOrigin.Begin);
            long left = bodyLength;
            while (left > 0)
            {
                int n = f.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
                if (n <= 0) { problem = "file ended early (torn)"; return false; }
                crc = Crc32.Append(crc, buffer.AsSpan(0, n));
                left -= n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        if (crc != BinaryPrimitives.ReadUInt32LittleEndian(trailer[8..])) { problem = "engine state CRC mismatch"; return false; }
        problem = null;
        return true;
    }

    /// <summary>Opens the file positioned at the engine state.</summary>
    public static FileStream OpenBody(string path, SnapshotHeader header)
    {
        var f = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        f.Seek(header.Length, SeekOrigin.Begin);
        return f;
    }

    /// <summary>Renames a snapshot that can never be used with this journal to <c>*.snap.bad</c> (kept for a human; pruned later).</summary>
    public void SetAside(string path)
    {
        try
        {
            File.Move(path, path + SnapshotFormat.BadSuffix, overwrite: true);
        }
        catch (IOException ex) { log.LogWarning("Could not move {Path} aside: {Message}", path, ex.Message); }
        catch (UnauthorizedAccessException ex) { log.LogWarning("Could not move {Path} aside: {Message}", path, ex.Message); }
    }

    /// <summary>
    /// Writes a snapshot: header, engine state, trailer into <c>snapshot-N.snap.tmp</c>, fsync, rename
    /// over <c>snapshot-N.snap</c>, fsync of the directory; then deletes the snapshots beyond the newest
    /// <c>keep</c>. Returns the path and size. On failure the temporary file is removed and the exception thrown.
    /// </summary>
    public (string Path, long Bytes) Write(SnapshotHeader header, Action<Stream> writeBody)
    {
        string final = System.IO.Path.Combine(Directory, SnapshotFormat.FileName(header.JournalRecords));
        string tmp = final + SnapshotFormat.TempSuffix;
        long bytes;
        try
        {
            using (var f = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                f.Write(SnapshotFormat.EncodeHeader(header));
                var body = new ChecksumWriteStream(f);
                writeBody(body);
                Span<byte> trailer = stackalloc byte[SnapshotFormat.TrailerBytes];
                SnapshotFormat.WriteTrailer(trailer, body.Written, body.Crc);
                f.Write(trailer);
                f.Flush(flushToDisk: true);
                bytes = f.Length;
            }
            File.Move(tmp, final, overwrite: true);
        }
        catch
        {
            try { File.Delete(tmp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
        DirectorySync.Flush(Directory);
        Prune(header.JournalRecords);
        return (final, bytes);
    }

    /// <summary>Deletes every snapshot older than the newest <c>keep</c>, and set-aside files older than the oldest kept one.</summary>
    private void Prune(long newest)
    {
        var snaps = new List<(long Seq, string Path)>();
        var bad = new List<(long Seq, string Path)>();
        foreach (var path in System.IO.Directory.EnumerateFiles(Directory, SnapshotFormat.Prefix + "*"))
        {
            string name = System.IO.Path.GetFileName(path);
            if (SnapshotFormat.TryParseFileName(name, out long seq)) snaps.Add((seq, path));
            else if (name.EndsWith(SnapshotFormat.BadSuffix, StringComparison.Ordinal) && SnapshotFormat.TryParseFileName(name[..^SnapshotFormat.BadSuffix.Length], out seq)) bad.Add((seq, path));
        }
        snaps.Sort((a, b) => b.Seq.CompareTo(a.Seq));
        long oldestKept = snaps.Take(keep).Select(s => s.Seq).DefaultIfEmpty(newest).Min();
        foreach (var (_, path) in snaps.Skip(keep).Concat(bad.Where(b => b.Seq < oldestKept)))
        {
            try { File.Delete(path); }
            catch (IOException ex) { log.LogWarning("Could not delete old snapshot {Path}: {Message}", path, ex.Message); }
            catch (UnauthorizedAccessException ex) { log.LogWarning("Could not delete old snapshot {Path}: {Message}", path, ex.Message); }
        }
    }
}
