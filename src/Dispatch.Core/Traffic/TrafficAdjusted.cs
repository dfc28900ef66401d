using Dispatch.Travel;

namespace Dispatch.Traffic;

/// <summary>
/// A travel rule under traffic: the base rule's minutes times the mean slowness of the cells the leg
/// crosses, plus a detour per closure crossed (see <see cref="TrafficModel"/>). A struct wrapping the
/// base struct, so the engine's tick still inlines it.
/// </summary>
public readonly struct TrafficAdjusted<TBase> : ITravelTime where TBase : struct, ITravelTime
{
    private readonly TBase _base;
    private readonly TrafficModel _model;

    /// <summary>Wraps <paramref name="baseRule"/> with <paramref name="model"/>.</summary>
    public TrafficAdjusted(TBase baseRule, TrafficModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _base = baseRule;
        _model = model;
    }

    /// <summary>The traffic picture this rule reads.</summary>
    public TrafficModel Model => _model;

    /// <inheritdoc />
    public double Minutes(double x1, double y1, double x2, double y2)
    {
        double b = _base.Minutes(x1, y1, x2, y2);
        double slow = _model.MeanSlowness(x1, y1, x2, y2, out int closures);
        return b * slow + closures * _model.ClosureDetourMinutes;
    }

    /// <inheritdoc />
    /// <remarks>The picture's next change, or the base rule's if that comes first.</remarks>
    public double ChangesFrom => Math.Min(_model.ChangesFrom, _base.ChangesFrom);

    /// <inheritdoc />
    /// <remarks>The base rule's minutes then, in the picture rasterised for that time
    /// (<see cref="TrafficModel.MeanSlownessAt"/>, the picture now before its next change): before
    /// <see cref="ChangesFrom"/>, the same sum as <see cref="Minutes"/>.</remarks>
    public double MinutesAt(double x1, double y1, double x2, double y2, double at)
    {
        double b = _base.MinutesAt(x1, y1, x2, y2, at);
        double slow = _model.MeanSlownessAt(at, x1, y1, x2, y2, out int closures);
        return b * slow + closures * _model.ClosureDetourMinutes;
    }
}
