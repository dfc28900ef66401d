namespace Dispatch.Engine;

/// <summary>The type of a <see cref="DispatchSetting"/>'s value: it decides how the value is parsed from text and
/// which MessagePack type carries it in a command-trace header.</summary>
public enum DispatchSettingKind
{
    /// <summary>A <see cref="double"/>; text is invariant round-trip ("R").</summary>
    Number = 0,
    /// <summary>An <see cref="int"/>; invariant text.</summary>
    Integer = 1,
    /// <summary>A <see cref="bool"/>; text <c>True</c> / <c>False</c> (read in any case).</summary>
    Flag = 2,
    /// <summary>An enum (<see cref="DispatchProfile"/>); text is the member's name (read in any case).</summary>
    Choice = 3,
}
