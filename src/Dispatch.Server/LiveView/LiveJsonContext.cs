using System.Text.Json.Serialization;

namespace Dispatch.Server.LiveView;

/// <summary>Source-generated JSON for the few small replies built from a dictionary (no reflection at run time).</summary>
[JsonSerializable(typeof(Dictionary<string, object>))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(string))]
internal sealed partial class LiveJsonContext : JsonSerializerContext;
