namespace Dispatch.Simulator.World;

/// <summary>
/// What differs between simulated worlds, around the one loop of <see cref="WorldDriver{TTravel}"/>:
/// what an event does (place an order, confirm a stop, move a courier, apply a scenario event) and
/// what happens around the engine's tick (which sink hears the decisions, what the couriers do next).
/// </summary>
public interface IWorld<TTravel> where TTravel : struct, ITravelTime
{
    /// <summary>Any event but the tick, at <see cref="WorldDriver{TTravel}.Now"/>.</summary>
    void Handle(WorldDriver<TTravel> driver, in WorldEvent e);

    /// <summary>The tick at <see cref="WorldDriver{TTravel}.Now"/>: run the engine's tick with the world's sink and
    /// schedule what its decisions make the couriers do. The driver applies the stop rule afterwards.</summary>
    void Tick(WorldDriver<TTravel> driver);
}
