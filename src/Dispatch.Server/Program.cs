System.Console.WriteLine("Dispatch.Server: under construction");
