return Dispatch.Simulator.Cli.Run(args);
