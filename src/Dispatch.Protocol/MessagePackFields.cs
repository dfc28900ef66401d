using MessagePack;

namespace Dispatch.Protocol;

/// <summary>Small reading helpers shared by the codecs: lenient where the wire format allows it (numbers), strict elsewhere.</summary>
internal static class MessagePackFields
{
    /// <summary>Reads a number written either as an integer or a float: clients in other languages
    /// often send 12 for 12.0, and refusing that would be pedantic.</summary>
    public static double ReadNumber(ref MessagePackReader r)
    {
        return r.NextMessagePackType switch
        {
            MessagePackType.Float => r.ReadDouble(),
            MessagePackType.Integer => r.ReadInt64(),
            var t => throw new MessagePackSerializationException($"expected a number, found {t}"),
        };
    }

    /// <summary>Reads an optional string (nil allowed).</summary>
    public static string? ReadStringOrNil(ref MessagePackReader r) => r.TryReadNil() ? null : r.ReadString();

    /// <summary>Skips elements a newer peer appended: later protocol versions may add trailing fields.</summary>
    public static void SkipRest(ref MessagePackReader r, int count)
    {
        for (int i = 0; i < count; i++) r.Skip();
    }
}
