namespace Dispatch.Cluster.Handoff;

/// <summary>
/// The destination's durable answer to a hand-off: adopted (the courier is on shift there) or refused (it never will be,
/// for this hand-off id; the source puts it back). Once given, the same answer is given to every repetition.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record AdoptOutcome
{
    /// <summary>True: the courier is the destination's now.</summary>
    [Id(0)] public bool Adopted { get; init; }

    /// <summary>Why it was refused (null when adopted).</summary>
    [Id(1)] public string? Refusal { get; init; }

    /// <summary>Adopted.</summary>
    public static AdoptOutcome Yes { get; } = new() { Adopted = true };

    /// <summary>Refused, saying why.</summary>
    public static AdoptOutcome No(string why) => new() { Adopted = false, Refusal = why };
}
