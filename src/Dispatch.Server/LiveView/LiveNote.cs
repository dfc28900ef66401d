using System.Globalization;
using Dispatch.Model;

namespace Dispatch.Server.LiveView;

/// <summary>
/// One line of an order's or a courier's timeline, or one exception, as numbers: the projection hears thousands of
/// these a second under load and a browser asks for a timeline now and then, so the text is made only when asked
/// (<see cref="Text"/>). Which fields a kind uses is in <see cref="Text"/>.
/// </summary>
internal readonly record struct LiveNote(double At, NoteKind Kind, long Order, long Courier)
{
    public double T1 { get; init; } = double.NaN;
    public double T2 { get; init; } = double.NaN;
    public double X { get; init; }
    public double Y { get; init; }
    public int N { get; init; }
    public byte Reason { get; init; }
    public byte Sub { get; init; }
    public bool Flag { get; init; }

    public bool IsException => Kind >= NoteKind.Late;

    /// <summary>The exception list's name for the kind (the page colours lines by it).</summary>
    public string ExceptionKind => Kind switch
    {
        NoteKind.Late => "late",
        NoteKind.AtRisk => "at-risk",
        NoteKind.Behind => "behind",
        NoteKind.Released => "released",
        NoteKind.Reassigned => "reassigned",
        _ => "failed",
    };

    /// <summary>The line as a person reads it; <paramref name="courierSide"/>: in the courier's timeline (which names the order).</summary>
    public string Text(bool courierSide = false)
    {
        var reason = (PlanChangeReason)Reason;
        return Kind switch
        {
            NoteKind.Placed => $"placed at site {Courier}, ready {Time(T1)}, promised {Time(T2)}", // Courier holds the site here
            NoteKind.ReadyChanged => $"ready time changed to {Time(T1)}",
            NoteKind.Cancelled => "cancelled",
            NoteKind.OnShift => string.Create(CultureInfo.InvariantCulture, $"on shift {Time(T1)}-{Time(T2)} at ({X:0}, {Y:0})"),
            NoteKind.OffShift => "off shift",
            NoteKind.PickedUp => $"picked up at {Time(T1)}" + (Courier >= 0 ? $" by courier {Courier}" : ""),
            NoteKind.Delivered => $"delivered at {Time(T1)}" + (!Flag ? "" : double.IsFinite(T2) && T1 > T2
                ? string.Create(CultureInfo.InvariantCulture, $" ({T1 - T2:0.#} min after the first promise)") : " (on time)"),
            NoteKind.DeliveryFailed => $"delivery failed (reason {N})" + (Flag ? ", returned" : ", re-made"),
            NoteKind.WrongCustomer => "delivered to the wrong customer; re-made",
            NoteKind.KitchenChanged => "changed by the kitchen" + (double.IsFinite(T1) ? $", ready {Time(T1)}" : "") + (N > 0 ? $", size {N}" : ""),
            NoteKind.Assigned => (Flag ? "plan updated: " : "assigned: ") + $"{N} stops",
            NoteKind.PlannedWith => $"planned with courier {Courier}, drop-off {Time(T1)}",
            NoteKind.PlanChange => (courierSide ? $"order {Order} " : "") + $"{(PlanChangeKind)Sub} ({reason})" + (double.IsFinite(T2) ? $": {Time(T1)} -> {Time(T2)}" : ""),
            NoteKind.EtaChanged => (courierSide ? $"order {Order} " : "") + $"{PlanChangeKind.EtaChanged} ({reason}): {Time(T1)} -> {Time(T2)}"
                + (N > 1 ? $" ({N} re-timings folded)" : ""),
            _ => "exception: " + ExceptionText(),
        };
    }

    /// <summary>The exception's own line (the exception list, and after "exception: " in a timeline).</summary>
    public string ExceptionText() => Kind switch
    {
        NoteKind.Late => $"order {Order} past its promise {Time(T1)}",
        NoteKind.AtRisk => $"order {Order} near its promise {Time(T1)} (expected {Time(T2)})",
        NoteKind.Behind => $"courier {Courier} behind plan (order {Order}, {(PlanChangeKind)Sub})",
        NoteKind.Released => $"order {Order} released from courier {Courier} ({(PlanChangeReason)Reason})",
        NoteKind.Reassigned => $"order {Order} reassigned to courier {Courier} ({(PlanChangeReason)Reason})",
        NoteKind.Failed => $"order {Order}: delivery failed" + (Flag ? ", returned" : ", re-made"),
        NoteKind.WrongDelivery => $"order {Order}: wrong customer, re-made",
        _ => Kind.ToString(),
    };

    /// <summary>Engine minutes as the page shows them: h:mm from the engine's zero.</summary>
    internal static string Time(double minutes)
    {
        if (!double.IsFinite(minutes)) return minutes > 0 ? "never" : "-";
        int m = (int)Math.Floor(minutes);
        return string.Create(CultureInfo.InvariantCulture, $"{m / 60}:{m % 60:00}");
    }
}
