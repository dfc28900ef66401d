namespace Dispatch.Server.LiveView;

/// <summary>An action's body that does not make a command: names the field, answered 400 before anything reaches the engine.</summary>
internal sealed class LiveActionException(string field, string message) : Exception($"{field}: {message}")
{
    public string Field { get; } = field;
}
