using System.Collections.Concurrent;
using System.Diagnostics;
using Dispatch.Hosting;
using Dispatch.Protocol;
using MessagePack;
using Microsoft.Extensions.Logging;

namespace Dispatch.Server.Recording;

/// <summary>
/// Records every accepted engine command (the journal's set: events and ticks, in the order applied)
/// with its wall-clock time and engine time into a command trace (<see cref="CommandTraceFormat"/>).
/// The engine thread only encodes into an in-memory buffer (a few dozen bytes per command, no
/// allocation); full buffers, or any buffer after a second, go to a dedicated writer thread, so a
/// slow disk never stalls the engine unless 4 MiB are waiting. The trace is a diagnostic copy, not
/// part of durability: acknowledgements never wait for it, and a write error stops the recording
/// (logged) while the server carries on. Dispose writes what is buffered and closes the file.
/// </summary>
internal sealed class TraceRecorder : IDisposable
{
    private const int HandOffBytes = 64 * 1024;
    private const int MaxBuffers = 64;
    private static readonly long HandOffAfterTicks = Stopwatch.Frequency; // one second

    private readonly FileStream _file;
    private readonly ILogger _log;
    private readonly TimeProvider _time;
    private readonly BlockingCollection<FrameBuffer> _full = new();
    private readonly BlockingCollection<FrameBuffer> _free = new();
    private readonly Thread _writer;
    private FrameBuffer _current = new(HandOffBytes + 1024);
    private int _buffers = 1;
    private long _lastHandOff = Stopwatch.GetTimestamp();
    private volatile bool _failed;
    private long _bytesWritten;
    private bool _disposed;

    private TraceRecorder(string path, FileStream file, TraceHeader header, TimeProvider time, ILogger log)
    {
        Path = path;
        _file = file;
        _time = time;
        _log = log;
        var head = new FrameBuffer(512);
        var w = new MessagePackWriter(head);
        CommandTraceFormat.WriteHeader(ref w, header);
        w.Flush();
        _file.Write(head.WrittenSpan);
        _bytesWritten = head.Length;
        _writer = new Thread(WriteLoop) { IsBackground = true, Name = "dispatch-recorder" };
        _writer.Start();
    }

    /// <summary>The trace file.</summary>
    public string Path { get; }

    /// <summary>Commands recorded.</summary>
    public long Records { get; private set; }

    /// <summary>
    /// Creates the trace at <paramref name="path"/>. An existing file there is moved aside to
    /// <c>&lt;path&gt;.prev-&lt;utc time&gt;</c> rather than overwritten or appended to (its header
    /// may describe other settings).
    /// </summary>
    public static TraceRecorder Create(string path, ServerOptions options, long journalEpochUnixMs, long priorRecords, TimeProvider time, ILogger log)
    {
        string full = System.IO.Path.GetFullPath(path);
        if (System.IO.Path.GetDirectoryName(full) is { Length: > 0 } dir) Directory.CreateDirectory(dir);
        if (File.Exists(full))
        {
            string aside = full + ".prev-" + time.GetUtcNow().ToString("yyyyMMddTHHmmssfff", System.Globalization.CultureInfo.InvariantCulture);
            File.Move(full, aside, overwrite: true);
            log.LogWarning("Trace {Path} exists; moved it to {Aside}", full, aside);
        }
        var header = HeaderFor(options, journalEpochUnixMs, priorRecords, time.GetUtcNow().ToUnixTimeMilliseconds());
        var file = new FileStream(full, FileMode.CreateNew, FileAccess.Write, FileShare.Read, bufferSize: 0);
        try
        {
            var recorder = new TraceRecorder(full, file, header, time, log);
            if (priorRecords > 0)
                log.LogWarning("Recording to {Path} after replaying {Records} journal records: the trace holds only the commands from now on, so replaying it alone does not rebuild this state (start on an empty data directory for a self-contained trace)", full, priorRecords);
            else
                log.LogInformation("Recording every accepted command to {Path}", full);
            return recorder;
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>The settings of <paramref name="options"/> that decide what the engine does with the commands.</summary>
    public static TraceHeader HeaderFor(ServerOptions options, long journalEpochUnixMs, long priorRecords, long createdUnixMs) => new()
    {
        CreatedUnixMs = createdUnixMs,
        ServerName = options.ServerName,
        Clock = options.Clock,
        ClockRate = options.ClockRate,
        Travel = options.Travel.ToString(),
        MetersPerMinute = options.MetersPerMinute,
        HaversineKmh = options.HaversineKmh,
        DetourFactor = options.DetourFactor,
        EngineSettings = TraceEngineSettings.For(options.Engine),
        JournalEpochUnixMs = journalEpochUnixMs,
        PriorRecords = priorRecords,
        TrafficBounds = options.TrafficBounds,
        TrafficCellSize = options.TrafficCellSize,
        ClosureDetourMinutes = options.ClosureDetourMinutes,
    };

    /// <summary>Engine thread: records an accepted command applied at <paramref name="engineTime"/>.</summary>
    public void Append(double engineTime, in Command command)
    {
        if (_failed) return;
        var w = new MessagePackWriter(_current);
        CommandTraceFormat.WriteRecord(ref w, _time.GetUtcNow().ToUnixTimeMilliseconds(), engineTime, command);
        w.Flush();
        Records++;
    }

    /// <summary>Engine thread, once per batch: hands the buffer to the writer when it is full or a second old.</summary>
    public void EndBatch()
    {
        if (_current.Length == 0) return;
        if (_current.Length < HandOffBytes && Stopwatch.GetTimestamp() - _lastHandOff < HandOffAfterTicks) return;
        HandOff();
    }

    private void HandOff()
    {
        _lastHandOff = Stopwatch.GetTimestamp();
        if (_current.Length == 0) return;
        if (_failed) { _current.Reset(); return; }
        _full.Add(_current);
        if (_free.TryTake(out var next)) _current = next;
        else if (_buffers < MaxBuffers) { _current = new FrameBuffer(HandOffBytes + 1024); _buffers++; }
        else _current = _free.Take(); // 4 MiB behind: the disk is stalled; wait rather than lose records
    }

    private void WriteLoop()
    {
        foreach (var buffer in _full.GetConsumingEnumerable())
        {
            if (!_failed)
            {
                try
                {
                    _file.Write(buffer.WrittenSpan);
                    _bytesWritten += buffer.Length;
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    _failed = true;
                    _log.LogError(ex, "Writing the trace {Path} failed; recording stopped (the journal and the server are unaffected)", Path);
                }
            }
            buffer.Reset();
            _free.Add(buffer);
        }
    }

    /// <summary>Writes everything recorded, waits for the writer, and closes the file.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        try
        {
            HandOff();
            _full.CompleteAdding();
            _writer.Join();
            if (!_failed) _file.Flush(flushToDisk: true);
            _log.LogInformation("Trace {Path}: {Records} commands recorded, {Bytes} bytes", Path, Records, _bytesWritten);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _log.LogError(ex, "Closing the trace {Path} failed", Path);
        }
        finally
        {
            _file.Dispose();
            _full.Dispose();
            _free.Dispose();
        }
    }
}
