namespace Dispatch.Model;

/// <summary>A pickup site as the engine knows it (<see cref="Dispatch.Engine.DispatchEngine{TTravel}.CopySites"/>).</summary>
/// <param name="SiteId">The site.</param>
/// <param name="X">Where it is.</param>
/// <param name="Y">Where it is.</param>
public readonly record struct SiteInfo(long SiteId, double X, double Y);
