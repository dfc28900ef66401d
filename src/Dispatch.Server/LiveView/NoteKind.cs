namespace Dispatch.Server.LiveView;

/// <summary>What a <see cref="LiveNote"/> records: a timeline line, or an exception (the kinds from <see cref="Late"/> on).</summary>
internal enum NoteKind : byte
{
    Placed,
    ReadyChanged,
    Cancelled,
    OnShift,
    OffShift,
    PickedUp,
    Delivered,
    DeliveryFailed,
    WrongCustomer,
    KitchenChanged,
    Assigned,
    PlannedWith,
    PlanChange,
    /// <summary>ETA changes of one order folded into one line (<see cref="LiveEtaLog"/>): N says how many.</summary>
    EtaChanged,
    Late,
    AtRisk,
    Behind,
    Released,
    Reassigned,
    Failed,
    WrongDelivery,
}
