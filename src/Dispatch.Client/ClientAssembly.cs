namespace Dispatch.Client;

/// <summary>Marker for the client assembly; the client types land with the sidecar server.</summary>
internal static class ClientAssembly
{
}
