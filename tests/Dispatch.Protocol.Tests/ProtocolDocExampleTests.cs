namespace Dispatch.Protocol.Tests;

/// <summary>
/// docs/protocol.md's worked example shows the bytes of a handshake and of one order with their replies. They are
/// the real codec's: this test encodes the same frames and finds each hex line in the document, so the example
/// cannot drift from the wire.
/// </summary>
public class ProtocolDocExampleTests
{
    public static TheoryData<string, string> Frames() => new()
    {
        { "Hello", Hex(f => CommandCodec.WriteFrame(f, Command.Hello(1, "example", subscribe: true))) },
        { "HelloOk", Hex(f => ReplyCodec.WriteHelloOk(f, 1, "dispatch-server", ClockMode.Manual, 0, 65536)) },
        { "PlaceOrder", Hex(f => CommandCodec.WriteFrame(f, Command.PlaceOrder(2, 100, 1, 2500, 1800, 0, 12))) },
        { "Ack", Hex(f => ReplyCodec.WriteAck(f, 2, 0)) },
        { "ConfirmPickup (refused)", Hex(f => CommandCodec.WriteFrame(f, Command.ConfirmPickup(3, 100, 500))) },
    };

    [Theory]
    [MemberData(nameof(Frames))]
    public void The_documented_bytes_are_the_codecs(string frame, string hex)
    {
        string doc = File.ReadAllText(Path.Combine(RepoRoot(), "docs", "protocol.md"));
        Assert.True(doc.Contains(hex, StringComparison.Ordinal), $"docs/protocol.md must show {frame} as\n{hex}");
    }

    private static string Hex(Action<FrameBuffer> write)
    {
        var f = new FrameBuffer();
        write(f);
        return string.Join(' ', f.WrittenMemory.ToArray().Select(b => b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture)));
    }

    private static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Dispatch.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"Dispatch.sln not found above {AppContext.BaseDirectory}");
    }
}
