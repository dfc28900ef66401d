using Dispatch.Hosting;
using Dispatch.Travel;

namespace Dispatch.Server;

/// <summary>
/// The engine the server options describe: the travel rule they name under a traffic picture, fresh or
/// restored from a snapshot. Beside <see cref="ServerOptions"/> because both the engine thread (a fresh
/// engine) and recovery (<see cref="Snapshots.SnapshotBody"/>) build one, and neither folder should need the other for it.
/// </summary>
internal static class EngineDrivers
{
    /// <summary>
    /// A fresh engine over a fresh traffic picture, or (with <paramref name="snapshot"/>) one restored from a
    /// snapshot's engine state over <paramref name="traffic"/> (the picture restored from the same snapshot).
    /// </summary>
    public static IEngineDriver Create(ServerOptions options, Stream? snapshot = null, TrafficPicture? traffic = null)
    {
        var engineOptions = options.Engine;
        traffic ??= new TrafficPicture(options.ToTrafficSettings());
        double tolerance = ConfirmationTolerance.Minutes(options.Clock, options.ClockRate);
        return options.Travel switch
        {
            TravelMode.Haversine when snapshot is null => new EngineDriver<HaversineMinutes>(Haversine(), engineOptions, traffic, tolerance),
            TravelMode.Haversine => EngineDriver<HaversineMinutes>.Load(snapshot, Haversine(), engineOptions, traffic, tolerance),
            _ when snapshot is null => new EngineDriver<EuclideanCeilMinutes>(Euclidean(), engineOptions, traffic, tolerance),
            _ => EngineDriver<EuclideanCeilMinutes>.Load(snapshot, Euclidean(), engineOptions, traffic, tolerance),
        };
        HaversineMinutes Haversine() => new(options.HaversineKmh, options.DetourFactor);
        EuclideanCeilMinutes Euclidean() => new(options.MetersPerMinute);
    }
}
