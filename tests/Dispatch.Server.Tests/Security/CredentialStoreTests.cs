using Dispatch.Server.Security;

namespace Dispatch.Server.Tests.Security;

/// <summary>The tokens file's format: what it accepts, and lines it refuses with the line number.</summary>
public class CredentialStoreTests
{
    private static readonly string Key = TokenHash.OfToken("t");

    [Fact]
    public void Lines_give_name_role_courier_and_expiry()
    {
        var table = CredentialStore.Parse(
        [
            "# comment",
            "",
            $"{Key} operator ops-alice   # trailing comment",
            $"{TokenHash.OfToken("c")} courier-app 42 expires=2027-01-31T00:00:00Z",
            $"{TokenHash.OfToken("v")[TokenHash.TokenPrefix.Length..].ToUpperInvariant()} VIEWER",
        ], "test");
        Assert.Equal(3, table.Count);
        var op = table[Key];
        Assert.Equal(("ops-alice", Role.Operator, -1L, (DateTimeOffset?)null, CredentialKind.Token), (op.Name, op.Role, op.CourierId, op.Expires, op.Kind));
        var courier = table[TokenHash.OfToken("c")];
        Assert.Equal(("courier-42", Role.CourierApp, 42L), (courier.Name, courier.Role, courier.CourierId));
        Assert.Equal(new DateTimeOffset(2027, 1, 31, 0, 0, 0, TimeSpan.Zero), courier.Expires);
        Assert.Equal(Role.Viewer, table[TokenHash.OfToken("v")].Role); // a bare hex key is a token's, case does not matter
    }

    [Theory]
    [InlineData("sha256:abc operator x", "line 1: key must be")]
    [InlineData("not-a-key viewer x", "line 1: key must be")]
    [InlineData("KEY superuser x", "unknown role 'superuser'")]
    [InlineData("KEY courier-app alice", "courier id")]
    [InlineData("KEY viewer a expires=tomorrow", "is not a date")]
    [InlineData("KEY viewer a b", "unexpected field 'b'")]
    [InlineData("KEY", "expected 'key role")]
    public void Bad_lines_are_refused_naming_the_line(string line, string message)
    {
        var ex = Assert.Throws<FormatException>(() => CredentialStore.Parse([line.Replace("KEY", Key, StringComparison.Ordinal)], "tokens.txt"));
        Assert.Contains(message, ex.Message);
        Assert.Contains("tokens.txt line 1", ex.Message);
    }

    [Fact]
    public void A_key_twice_is_refused()
    {
        var ex = Assert.Throws<FormatException>(() => CredentialStore.Parse([$"{Key} viewer a", $"{Key} operator b"], "f"));
        Assert.Contains("line 2", ex.Message);
    }

    [Fact]
    public void The_hash_token_command_prints_a_key_the_file_accepts()
    {
        var output = new StringWriter();
        Assert.Equal(0, SecurityCommands.Run(["hash-token", "my-token"], output, TextWriter.Null));
        Assert.Contains(TokenHash.OfToken("my-token"), output.ToString());
        output = new StringWriter();
        Assert.Equal(0, SecurityCommands.Run(["hash-token"], output, TextWriter.Null));
        string token = output.ToString().Split('\n')[0]["token: ".Length..].Split(' ')[0];
        Assert.Equal(43, token.Length);
        Assert.Contains(TokenHash.OfToken(token), output.ToString());
    }
}
