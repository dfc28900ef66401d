namespace Dispatch.Core.Tests; public class T { [Fact] public void A() => Assert.Equal(2, 1+1); [FsCheck.Xunit.Property] public bool P(int x) => x + 0 == x; }
