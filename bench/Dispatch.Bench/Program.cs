System.Console.WriteLine("bench: under construction");
