namespace Dispatch; internal static class Placeholder { }
