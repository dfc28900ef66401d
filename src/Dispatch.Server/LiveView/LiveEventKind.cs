namespace Dispatch.Server.LiveView;

/// <summary>What one <see cref="LiveEvent"/> reports. Values are the feed's own (the page reads them by name, not number).</summary>
internal enum LiveEventKind : byte
{
    None = 0,
    SiteAdded,
    OrderPlaced,
    ReadyTimeChanged,
    OrderCancelled,
    CourierOnShift,
    CourierOffShift,
    PickedUp,
    Delivered,
    DeliveryFailed,
    WrongOrderDelivered,
    OrderChanged,
    /// <summary>A courier's new plan; its stops follow as <see cref="Stop"/> events (Count says how many).</summary>
    Assignment,
    /// <summary>One stop of the <see cref="Assignment"/> just before it.</summary>
    Stop,
    /// <summary>A plan change with its reason (released, cancelled, reassigned, resequenced, re-quoted; ETA changes go to the <see cref="LiveEtaLog"/>).</summary>
    PlanChange,
    CongestionZone,
    Closure,
    CitywideFactor,
    /// <summary>The engine's order counts after a batch that changed them (the protocol's Counts, exactly).</summary>
    Counts,
    Tick,
}
