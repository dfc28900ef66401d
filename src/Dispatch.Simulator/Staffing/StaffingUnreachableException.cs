namespace Dispatch.Simulator.Staffing;

/// <summary>The service target cannot be met within the allowed shifts; the message names the best reached.</summary>
public sealed class StaffingUnreachableException(string message) : Exception(message);
