namespace Dispatch.Core.Tests.Support;

/// <summary>The speed of the tests' engines (<see cref="EngineFactory"/>): 320 m/min, the traces' speed.</summary>
internal static class TestSpeed
{
    /// <summary>Metres driven in one minute: a coordinate of n * Min is n minutes away from the origin along an axis.</summary>
    public const double Min = 320;
}
