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
/// <c>keep</c> (<see cref="Retain"/>, which also says how much of the journal they still need). Any
/// snapshot that cannot be trusted is simply not used: an older one and the journal after it are.
/// Used by recovery before the engine thread starts, then only by the snapshot writer task.
/// </summary>
internal sealed class SnapshotStore(string directory, int keep, ILogger log)
{
    private readonly Dictionary<string, long> _verified = new(StringComparer.Ordinal); // path -> length whose body CRC checked out

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
    /// Writes a snapshot: header, engine state (<paramref name="writeBody"/>), trailer into <c>snapshot-N.snap.tmp</c>,
    /// fsync, rename over <c>snapshot-N.snap</c>, fsync of the directory. Returns the path and size. On failure the
    /// temporary file is removed and the exception thrown. Pruning is <see cref="Retain"/>'s, once the caller is done.
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
        _verified[final] = bytes; // its bytes are the ones just checksummed and fsynced
        return (final, bytes);
    }

    /// <summary>
    /// Retention, after a new snapshot is durable: keeps the newest <c>keep</c> snapshots that can stand for this
    /// journal (readable header, taken under <paramref name="fingerprint"/>'s settings after a record of the
    /// journal with <paramref name="journalEpochUnixMs"/>, engine state checked end to end once), and once there
    /// are that many, deletes every snapshot file older than the oldest of them (set-aside <c>*.snap.bad</c> ones
    /// included). Returns the journal records that oldest kept snapshot covers: the journal segments wholly
    /// before it are no longer needed, not even if the newer snapshots turn out damaged. Null while fewer than
    /// <c>keep</c> such snapshots exist: then the whole journal stays, so a damaged snapshot still falls back to it.
    /// </summary>
    public long? Retain(byte[] fingerprint, long journalEpochUnixMs)
    {
        var kept = new List<SnapshotFile>();
        foreach (var f in List())
        {
            if (kept.Count == keep) break;
            if (f.Header is not { } h || !h.Fingerprint.AsSpan().SequenceEqual(fingerprint) || h.JournalEpochUnixMs != journalEpochUnixMs) continue;
            if (!IsVerified(f.Path, h)) continue;
            kept.Add(f);
        }
        if (kept.Count < keep) return null;
        long oldestKept = kept[^1].Sequence;
        foreach (var path in System.IO.Directory.EnumerateFiles(Directory, SnapshotFormat.Prefix + "*"))
        {
            string name = System.IO.Path.GetFileName(path);
            if (name.EndsWith(SnapshotFormat.TempSuffix, StringComparison.Ordinal)) continue; // being written
            string plain = name.EndsWith(SnapshotFormat.BadSuffix, StringComparison.Ordinal) ? name[..^SnapshotFormat.BadSuffix.Length] : name;
            if (!SnapshotFormat.TryParseFileName(plain, out long seq) || seq >= oldestKept) continue;
            try
            {
                File.Delete(path);
                _verified.Remove(path);
            }
            catch (IOException ex) { log.LogWarning("Could not delete old snapshot {Path}: {Message}", path, ex.Message); }
            catch (UnauthorizedAccessException ex) { log.LogWarning("Could not delete old snapshot {Path}: {Message}", path, ex.Message); }
        }
        return oldestKept;
    }

    /// <summary>Bytes of every snapshot file in the directory (set-aside and unfinished ones included).</summary>
    public long BytesOnDisk()
    {
        long total = 0;
        foreach (var path in System.IO.Directory.EnumerateFiles(Directory, SnapshotFormat.Prefix + "*"))
        {
            try { total += new FileInfo(path).Length; }
            catch (IOException) { } // deleted meanwhile
        }
        return total;
    }

    /// <summary>Whether the file's engine state checks out end to end (read once per file, then remembered).</summary>
    private bool IsVerified(string path, SnapshotHeader header)
    {
        long length;
        try { length = new FileInfo(path).Length; }
        catch (IOException) { return false; }
        if (_verified.TryGetValue(path, out long known) && known == length) return true;
        try
        {
            if (!VerifyBody(path, header, out string? problem))
            {
                log.LogWarning("Snapshot {Path} does not check out ({Problem}); it is not counted among the snapshots kept", path, problem);
                return false;
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
        _verified[path] = length;
        return true;
    }
}
