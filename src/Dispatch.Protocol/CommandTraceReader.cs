using System.Buffers;
using MessagePack;

namespace Dispatch.Protocol;

/// <summary>
/// Reads a command trace (<see cref="CommandTraceFormat"/>) record by record from a stream.
/// The constructor reads the header and throws <see cref="TraceFormatException"/> when the file is
/// not a trace, has another format version, or is cut inside the header. After that nothing throws
/// for bad data: <see cref="TryRead"/> returns false at the end, and when the file ends inside a
/// record (a recording cut short) or a record does not decode, <see cref="Problem"/> says what and
/// where, and every record before it has been returned.
/// </summary>
public sealed class CommandTraceReader : IDisposable
{
    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly string _name;
    private byte[] _buffer = new byte[64 * 1024];
    private int _start, _end;
    private long _bufferOffset; // file offset of _buffer[0]
    private bool _eof;
    private bool _done;

    /// <summary>Opens the trace at <paramref name="path"/> and reads its header.</summary>
    public static CommandTraceReader Open(string path) =>
        new(new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 1), path, ownsStream: true);

    /// <summary>Reads the header from <paramref name="stream"/>; <paramref name="name"/> goes into messages.</summary>
    public CommandTraceReader(Stream stream, string name = "trace", bool ownsStream = false)
    {
        _stream = stream;
        _ownsStream = ownsStream;
        _name = name;
        try
        {
            Header = ReadHeader();
        }
        catch
        {
            if (ownsStream) stream.Dispose();
            throw;
        }
    }

    /// <summary>The settings the trace was recorded with.</summary>
    public TraceHeader Header { get; }

    /// <summary>Records returned so far.</summary>
    public long Records { get; private set; }

    /// <summary>File offset just past the last record returned (the intact length of the file).</summary>
    public long Offset => _bufferOffset + _start;

    /// <summary>Null while reading and after a clean end; otherwise why reading stopped early.</summary>
    public string? Problem { get; private set; }

    /// <summary>True when the file ends inside a record (a recording cut short).</summary>
    public bool Truncated { get; private set; }

    /// <summary>Reads the next record. False at the end of the file or on a problem (see <see cref="Problem"/>).</summary>
    public bool TryRead(out TraceRecord record)
    {
        record = default;
        if (_done) return false;
        while (true)
        {
            if (_start == _end && !Fill())
            {
                _done = true; // clean end: the last record ended exactly at the end of the file
                return false;
            }
            var seq = new ReadOnlySequence<byte>(_buffer, _start, _end - _start);
            long length;
            try
            {
                if (!TryMeasureNext(out length))
                {
                    if (_end - _start >= CommandTraceFormat.MaxRecordBytes)
                        return Stop($"record {Records + 1} at offset {Offset} is not complete within {CommandTraceFormat.MaxRecordBytes} bytes (corrupt length)", truncated: false);
                    if (Fill()) continue;
                    return Stop($"truncated record {Records + 1} at offset {Offset}: the file ends {_end - _start} bytes into it; {Records} complete records before it were read", truncated: true);
                }
            }
            catch (MessagePackSerializationException ex)
            {
                return Stop($"malformed record {Records + 1} at offset {Offset}: {ex.Message}", truncated: false);
            }

            try
            {
                var exact = new MessagePackReader(seq.Slice(0, length));
                record = CommandTraceFormat.ReadRecord(ref exact);
            }
            catch (Exception ex) when (ex is ProtocolException or MessagePackSerializationException or EndOfStreamException or OverflowException)
            {
                return Stop($"malformed record {Records + 1} at offset {Offset}: {ex.Message}", truncated: false);
            }
            _start += (int)length;
            Records++;
            return true;
        }
    }

    /// <summary>Reads a whole trace: header, every intact record, and the problem that stopped it early, if any.</summary>
    public static TraceContents ReadAll(string path)
    {
        using var reader = Open(path);
        var records = new List<TraceRecord>();
        while (reader.TryRead(out var r)) records.Add(r);
        return new TraceContents(reader.Header, records, reader.Problem, reader.Truncated, reader.Offset);
    }

    private bool Stop(string problem, bool truncated)
    {
        Problem = $"{_name}: {problem}";
        Truncated = truncated;
        _done = true;
        return false;
    }

    /// <summary>Length of the complete MessagePack value at the start of the buffer; false when the buffer
    /// ends inside it (read more). Malformed data throws <see cref="MessagePackSerializationException"/>.</summary>
    private bool TryMeasureNext(out long length)
    {
        var r = new MessagePackReader(new ReadOnlySequence<byte>(_buffer, _start, _end - _start));
        try
        {
            r.Skip();
            length = r.Consumed;
            return true;
        }
        catch (EndOfStreamException)
        {
            length = 0;
            return false;
        }
    }

    private TraceHeader ReadHeader()
    {
        while (true)
        {
            var seq = new ReadOnlySequence<byte>(_buffer, _start, _end - _start);
            long length;
            try
            {
                if (!TryMeasureNext(out length))
                {
                    if (_end - _start >= CommandTraceFormat.MaxHeaderBytes)
                        throw new TraceFormatException($"{_name}: not a dispatch trace (no complete header in the first {CommandTraceFormat.MaxHeaderBytes} bytes)", 0);
                    if (Fill()) continue;
                    throw new TraceFormatException(_end == 0
                        ? $"{_name}: empty file, not a dispatch trace"
                        : $"{_name}: the file ends inside the trace header ({_end} bytes)", 0);
                }
            }
            catch (MessagePackSerializationException ex)
            {
                throw new TraceFormatException($"{_name}: not a dispatch trace ({ex.Message})", 0, ex);
            }

            try
            {
                var exact = new MessagePackReader(seq.Slice(0, length));
                var header = CommandTraceFormat.ReadHeader(ref exact);
                _start += (int)length;
                return header;
            }
            catch (TraceFormatException ex)
            {
                throw new TraceFormatException($"{_name}: {ex.Message}", 0, ex);
            }
            catch (Exception ex) when (ex is MessagePackSerializationException or EndOfStreamException or OverflowException)
            {
                throw new TraceFormatException($"{_name}: malformed trace header: {ex.Message}", 0, ex);
            }
        }
    }

    /// <summary>Reads more bytes after the unconsumed ones. False at the end of the stream.</summary>
    private bool Fill()
    {
        if (_eof) return false;
        if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _bufferOffset += _start;
            _end -= _start;
            _start = 0;
        }
        if (_end == _buffer.Length) Array.Resize(ref _buffer, _buffer.Length * 2);
        int n = _stream.Read(_buffer, _end, _buffer.Length - _end);
        if (n == 0) { _eof = true; return false; }
        _end += n;
        return true;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsStream) _stream.Dispose();
    }
}

/// <summary>A whole trace as read by <see cref="CommandTraceReader.ReadAll"/>.</summary>
/// <param name="Header">The recorded settings.</param>
/// <param name="Records">Every intact record, in order.</param>
/// <param name="Problem">Why reading stopped before the end of the file, or null.</param>
/// <param name="Truncated">True when the file ends inside a record.</param>
/// <param name="IntactLength">Bytes up to the end of the last intact record.</param>
public sealed record TraceContents(TraceHeader Header, IReadOnlyList<TraceRecord> Records, string? Problem, bool Truncated, long IntactLength);
