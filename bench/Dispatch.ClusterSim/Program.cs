using Dispatch.ClusterSim;

// The cluster's simulation bench (docs/cluster.md, Figures): the multi-region replay through the region grains.
if (args.Length == 0 || args[0] is "--help" or "-h")
{
    Console.Out.Write(RegionsCommand.Usage);
    return args.Length == 0 ? 2 : 0;
}
try
{
    return args[0] switch
    {
        "regions" => await RegionsCommand.RunAsync(args[1..], Console.Out),
        _ => throw new ArgumentException($"unknown command '{args[0]}'; the one command is 'regions'\n{RegionsCommand.Usage}"),
    };
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine("dispatch-clustersim: " + ex.Message);
    return 2;
}
