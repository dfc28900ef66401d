namespace Dispatch.Model;

/// <summary>Header of a committed assignment; its stops come beside it as a span.</summary>
/// <param name="CourierId">The courier that takes it.</param>
/// <param name="AssignedAt">The tick time at which it was committed.</param>
/// <param name="OrderCount">How many orders it carries (bundle size).</param>
/// <param name="IsUpdate">True when it replaces the courier's remaining plan (general profile re-sequencing), false when it is appended.</param>
public readonly record struct AssignmentInfo(long CourierId, double AssignedAt, int OrderCount, bool IsUpdate);
