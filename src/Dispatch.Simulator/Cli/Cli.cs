using Dispatch.Engine;
using Dispatch.Simulator.Mdrp;
using Dispatch.Simulator.Replay;
using Dispatch.Simulator.Reports;

namespace Dispatch.Simulator;

internal static class Cli
{
    public static int Run(string[] args)
    {
        var inst = MdrpInstance.Load(args[1]);
        var profile = args.Length > 2 ? Enum.Parse<DispatchProfile>(args[2], true) : DispatchProfile.Mdrp;
        var r = MdrpReplay.Run(inst, new ReplayOptions { Profile = profile });
        var s = RunSummary.From(inst, profile.ToString(), r);
        Console.Write(s.ToText());
        return 0;
    }
}
