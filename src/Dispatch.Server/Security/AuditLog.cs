using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using Dispatch.Protocol;
using Microsoft.Extensions.Logging;

namespace Dispatch.Server.Security;

/// <summary>
/// The audit log: every accepted state-changing command with who sent it (credential name, role, courier), from where,
/// and when, as JSON lines in <c>&lt;data&gt;/audit/audit.jsonl</c>. Append-only: past <c>AuditFileBytes</c> the file is
/// renamed to <c>audit-&lt;UTC time&gt;.jsonl</c> and a new one started; rotated files are never touched again (deleting
/// them is the operator's retention policy). The engine thread only queues an <see cref="AuditEntry"/> after the command
/// is applied and journaled; a dedicated thread formats and writes the lines, flushing to the OS after each batch, so
/// the audit never slows the engine. The log is not part of durability: a crash can lose its last, unflushed lines
/// (the journal has the commands), and a full queue (the disk far behind) drops entries with an error log and a counter
/// rather than block the engine. One line, keys in this order, absent when they do not apply:
/// <c>{"time":"2026-12-01T02:03:04.567Z","engineTime":12,"credential":"shop-1","role":"integration","courierOf":7,
/// "remote":"10.0.0.5:51234","type":"PlaceOrder","rid":5,"orderId":100,"siteId":1,"courierId":7,"zoneId":3,
/// "closureId":4,"x":2500,"y":1800,"at":12,"until":30}</c>. An action of the live view refused before the engine (wrong token,
/// role) is written too, with <c>"refused":"..."</c> last (<see cref="RecordRefusal"/>).
/// </summary>
internal sealed class AuditLog : IDisposable
{
    /// <summary>The active file's name.</summary>
    public const string ActiveFile = "audit.jsonl";

    private readonly string _directory;
    private readonly long _maxBytes;
    private readonly ILogger _log;
    private readonly Channel<AuditEntry> _queue;
    private readonly Thread _writer;
    private FileStream _file;
    private long _dropped;

    public AuditLog(string dataDirectory, long maxFileBytes, ILogger log)
    {
        _directory = Path.Combine(dataDirectory, "audit");
        System.IO.Directory.CreateDirectory(_directory);
        _maxBytes = maxFileBytes;
        _log = log;
        _file = Open();
        _queue = Channel.CreateBounded<AuditEntry>(new BoundedChannelOptions(1 << 18) { SingleReader = true, SingleWriter = false, FullMode = BoundedChannelFullMode.Wait });
        _writer = new Thread(WriteLoop) { IsBackground = true, Name = "dispatch-audit" };
        _writer.Start();
    }

    /// <summary>Where the files are.</summary>
    public string Folder => _directory;

    /// <summary>Entries dropped because the writer fell too far behind.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>
    /// Any thread (the live view's HTTP handlers): queue a command refused before it reached the engine, with the reason.
    /// Never blocks. The queue takes several writers for this (the engine thread stays its main one).
    /// </summary>
    public void RecordRefusal(in AuditEntry entry) => Record(entry);

    /// <summary>Engine thread: queue an accepted command. Never blocks.</summary>
    public void Record(in AuditEntry entry)
    {
        if (_queue.Writer.TryWrite(entry)) return;
        if (Interlocked.Increment(ref _dropped) == 1 || _dropped % 10_000 == 0)
            _log.LogError("Audit log queue full: {Dropped} entries dropped so far (the disk under {Directory} is not keeping up)", _dropped, _directory);
    }

    private FileStream Open() => new(Path.Combine(_directory, ActiveFile), FileMode.Append, FileAccess.Write, FileShare.Read, 64 * 1024);

    private void WriteLoop()
    {
        var reader = _queue.Reader;
        var jsonRef = new Utf8JsonWriter(_file, new JsonWriterOptions { SkipValidation = true });
        try
        {
            while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
            {
                while (reader.TryRead(out var e))
                {
                    Write(jsonRef, e);
                    jsonRef.Flush();
                    _file.WriteByte((byte)'\n');
                    jsonRef.Reset(_file);
                    if (_file.Position >= _maxBytes) { Rotate(); jsonRef.Reset(_file); }
                }
                _file.Flush();
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _log.LogError(ex, "Audit log {Directory} failed; no more audit entries are written", _directory);
        }
        finally
        {
            // The writer first: its Dispose flushes into the file, which must still be open.
            try { jsonRef.Dispose(); _file.Flush(flushToDisk: true); _file.Dispose(); } catch (IOException) { /* already reported */ }
        }
    }

    private void Rotate()
    {
        _file.Flush(flushToDisk: true);
        _file.Dispose();
        string stamp = DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss'.'fffffff'Z'", CultureInfo.InvariantCulture);
        File.Move(Path.Combine(_directory, ActiveFile), Path.Combine(_directory, $"audit-{stamp}.jsonl"));
        _file = Open();
    }

    private static void Write(Utf8JsonWriter w, in AuditEntry e)
    {
        var c = e.Command;
        w.WriteStartObject();
        w.WriteString("time", DateTimeOffset.FromUnixTimeMilliseconds(e.UnixMs).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        w.WriteNumber("engineTime", e.EngineTime);
        w.WriteString("credential", e.Who.Name);
        w.WriteString("role", e.Who.Role.Name());
        if (e.Who.Role == Role.CourierApp) w.WriteNumber("courierOf", e.Who.CourierId);
        w.WriteString("remote", e.Remote);
        w.WriteString("type", c.Type.ToString());
        w.WriteNumber("rid", c.RequestId);
        switch (c.Type)
        {
            case MessageType.AddSite: w.WriteNumber("siteId", c.Id); Number(w, "x", c.X); Number(w, "y", c.Y); break;
            case MessageType.PlaceOrder: w.WriteNumber("orderId", c.Id); w.WriteNumber("siteId", c.Other); Number(w, "x", c.X); Number(w, "y", c.Y); Number(w, "at", c.T2); break;
            case MessageType.ChangeReadyTime: w.WriteNumber("orderId", c.Id); Number(w, "at", c.T1); break;
            case MessageType.CancelOrder: w.WriteNumber("orderId", c.Id); break;
            case MessageType.ConfirmPickup or MessageType.ConfirmDropoff: w.WriteNumber("orderId", c.Id); Number(w, "at", c.T1); break;
            case MessageType.CourierOnShift: w.WriteNumber("courierId", c.Id); Number(w, "x", c.X); Number(w, "y", c.Y); Number(w, "at", c.T1); Number(w, "until", c.T2); break;
            case MessageType.CourierOffShift: w.WriteNumber("courierId", c.Id); break;
            case MessageType.UpdateCourierPosition: w.WriteNumber("courierId", c.Id); Number(w, "x", c.X); Number(w, "y", c.Y); break;
            case MessageType.Tick: Number(w, "at", c.T1); break;
            case MessageType.AddCongestionZone: w.WriteNumber("zoneId", c.Id); Number(w, "at", c.T1); Number(w, "until", c.T2); break;
            case MessageType.AddClosure: w.WriteNumber("closureId", c.Id); Number(w, "at", c.T1); Number(w, "until", c.T2); break;
            case MessageType.SetCitywideFactor: Number(w, "at", c.T1); Number(w, "until", c.T2); break;
            default: w.WriteNumber("id", c.Id); break; // a type added later: its main id, under a neutral name
        }
        if (e.Refused is not null) w.WriteString("refused", e.Refused);
        w.WriteEndObject();
    }

    /// <summary>JSON has no NaN or infinity: those are written as strings.</summary>
    private static void Number(Utf8JsonWriter w, string name, double v)
    {
        if (double.IsFinite(v)) w.WriteNumber(name, v);
        else w.WriteString(name, v.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Writes what is queued, then closes the file (after the engine thread stopped queuing).</summary>
    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _writer.Join(TimeSpan.FromSeconds(10));
    }
}
