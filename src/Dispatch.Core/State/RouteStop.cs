using Dispatch.Model;

namespace Dispatch.State;

/// <summary>A stop in a courier's route, by dense order index. 48 bytes, stored inline in the route pool.</summary>
internal struct RouteStop
{
    public int Order;
    public StopKind Kind;
    public double X, Y;
    public double Departure, Arrival, ServiceAt, Leave;
    public bool Done;
}
