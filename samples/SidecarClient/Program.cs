System.Console.WriteLine("SidecarClient: under construction");
