namespace Dispatch.Server.Hosting;

/// <summary>
/// <c>--help</c>: what the server takes on its command line. Printed before the host is built, so
/// asking for help never binds a port or creates a data directory.
/// </summary>
public static class ServerUsage
{
    /// <summary>True when the arguments ask for help (<c>--help</c>, <c>-h</c> or <c>-?</c>).</summary>
    public static bool IsRequested(string[] args)
    {
        foreach (string a in args)
        {
            if (a is "--help" or "-h" or "-?" or "/?") return true;
        }
        return false;
    }

    /// <summary>The usage text.</summary>
    public static string Text()
    {
        var sb = new System.Text.StringBuilder();
        sb.AppendLine("Dispatch.Server: the dispatch engine as a TCP sidecar (MessagePack frames; see docs/protocol.md).");
        sb.AppendLine();
        sb.AppendLine("Usage: Dispatch.Server [--config <file.json>] [options]");
        sb.AppendLine();
        sb.AppendLine("Short forms:");
        foreach (var (option, key) in ServerHostBuilder.SwitchMappings) sb.AppendLine($"  {option,-24} <value>   sets {key}");
        sb.AppendLine("  --config                 <file>    JSON settings with a \"Dispatch\" section (below the environment and the command line)");
        sb.AppendLine("  --help                             this text");
        sb.AppendLine();
        sb.AppendLine("Live operations view: --http-port P serves a page and its event feed on http://127.0.0.1:P/ (off by default;");
        sb.AppendLine("  --http-address to bind elsewhere; actions from the page need an --auth-tokens credential; docs/live-view.md).");
        sb.AppendLine();
        sb.AppendLine("Security tools (instead of running the server; docs/security.md):");
        sb.AppendLine("  hash-token [token]                 a new random token (or the given one) and its key for the --auth-tokens file");
        sb.AppendLine("  cert-key <client-cert.pem>         a client certificate's key for the --auth-tokens file");
        sb.AppendLine("  audit --data DIR [--order ID] [--courier ID] [--credential NAME]   the audit log's lines that match");
        sb.AppendLine();
        sb.AppendLine("Any setting as --Dispatch:<Name>=<value> or the environment variable Dispatch__<Name>=<value>,");
        sb.AppendLine("for example --Dispatch:MaxConnections=100. Every setting, its default and meaning:");
        sb.AppendLine("docs/protocol.md, \"Running the server\".");
        return sb.ToString();
    }
}
