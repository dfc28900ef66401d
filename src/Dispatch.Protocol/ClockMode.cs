namespace Dispatch.Protocol;

/// <summary>How the server's engine clock advances (reported in HelloOk).</summary>
public enum ClockMode
{
    /// <summary>Engine minutes follow the wall clock; the server ticks by itself; Tick is refused.</summary>
    Wall = 0,
    /// <summary>The clock only moves on a client's Tick(now): traces can be streamed in accelerated time.</summary>
    Manual = 1,
}
