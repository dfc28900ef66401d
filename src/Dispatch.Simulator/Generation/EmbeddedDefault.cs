namespace Dispatch.Simulator.Generation;

/// <summary>
/// The default demo wave: a small generated day (800 orders over one 14-hour operating day with a
/// lunch and a dinner peak, seed 42) that needs no trace files. Always the same instance.
/// </summary>
public static class EmbeddedDefault
{
    /// <summary>
    /// The options of the demo: a dry, mild weekday, 20 % below a 1,000-order baseline (the
    /// smallest <see cref="WaveOptions.OrdersPerDay"/>), in a 6 km radius city of 222 restaurants.
    /// </summary>
    public static WaveOptions Options { get; } = new()
    {
        Seed = 42,
        OrdersPerDay = 1_000,
        WeatherMultiplier = 0.8,
    };

    /// <summary>Generates the demo wave (named "gen-800-s42").</summary>
    public static MdrpInstance Create() => WaveGenerator.Generate(Options);
}
