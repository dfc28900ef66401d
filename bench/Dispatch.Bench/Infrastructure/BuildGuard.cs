using System.Diagnostics;
using System.Reflection;

namespace Dispatch.Bench.Infrastructure;

/// <summary>Refuses to measure anything built without JIT optimizations: such figures are meaningless.</summary>
internal static class BuildGuard
{
    /// <summary>Null when the bench and the engine are optimized builds, else what is wrong.</summary>
    public static string? Problem()
    {
        foreach (var asm in new[] { typeof(BuildGuard).Assembly, typeof(DispatchEngine<>).Assembly, typeof(Dispatch.Simulator.Mdrp.MdrpInstance).Assembly })
        {
            var d = asm.GetCustomAttribute<DebuggableAttribute>();
            if (d is not null && d.IsJITOptimizerDisabled)
                return $"{asm.GetName().Name} is a non-optimized (Debug) build; run with -c Release";
        }
        if (Debugger.IsAttached) return "a debugger is attached";
        return null;
    }
}
