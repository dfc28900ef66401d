using System.Net;

namespace Dispatch.Client;

/// <summary>
/// A client with failover endpoints lost its connection and made a new one (<see cref="DispatchClient.Reconnected"/>):
/// from <paramref name="From"/> to <paramref name="To"/>, after <paramref name="Reason"/>. <paramref name="InDoubt"/>
/// requests were in flight at the loss; each failed with <see cref="DispatchInDoubtException"/> (it may or may not have been
/// applied: query before resending). Pushes sent while no connection was up are not replayed.
/// </summary>
public sealed record DispatchReconnect(DnsEndPoint From, DnsEndPoint To, int InDoubt, Exception Reason, TimeSpan Outage);
