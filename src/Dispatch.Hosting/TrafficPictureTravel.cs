using Dispatch.Traffic;
using Dispatch.Travel;

namespace Dispatch.Hosting;

/// <summary>
/// The travel rule of an engine driven by commands: <see cref="TrafficAdjusted{TBase}"/> over the base
/// rule once the traffic picture is engaged, the base rule alone before (so a server that never hears
/// of traffic pays nothing for it and decides exactly as before). A struct, so the engine's tick still
/// inlines it.
/// </summary>
public readonly struct TrafficPictureTravel<TBase> : ITravelTime where TBase : struct, ITravelTime
{
    private readonly TBase _base;
    private readonly TrafficAdjusted<TBase> _traffic;
    private readonly TrafficPicture _picture;

    /// <summary>The base rule under <paramref name="picture"/>.</summary>
    public TrafficPictureTravel(TBase baseRule, TrafficPicture picture)
    {
        _base = baseRule;
        _picture = picture;
        _traffic = new TrafficAdjusted<TBase>(baseRule, picture.Model);
    }

    /// <inheritdoc />
    public double Minutes(double x1, double y1, double x2, double y2) =>
        _picture.Engaged ? _traffic.Minutes(x1, y1, x2, y2) : _base.Minutes(x1, y1, x2, y2);

    /// <inheritdoc />
    public double ChangesFrom => _picture.Engaged ? _traffic.ChangesFrom : _base.ChangesFrom;

    /// <inheritdoc />
    public double MinutesAt(double x1, double y1, double x2, double y2, double at) =>
        _picture.Engaged ? _traffic.MinutesAt(x1, y1, x2, y2, at) : _base.MinutesAt(x1, y1, x2, y2, at);
}
