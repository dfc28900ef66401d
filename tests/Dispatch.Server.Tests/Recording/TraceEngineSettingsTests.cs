using System.Buffers;
using Dispatch.Engine;
using Dispatch.Hosting;
using Dispatch.Protocol;
using Dispatch.Server.Recording;
using MessagePack;

namespace Dispatch.Server.Tests.Recording;

/// <summary>The trace header carries every engine setting that decides anything, read back into the same options.</summary>
public class TraceEngineSettingsTests
{
    private static TraceHeader WriteAndRead(TraceHeader header)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var w = new MessagePackWriter(buffer);
        CommandTraceFormat.WriteHeader(ref w, header);
        w.Flush();
        var r = new MessagePackReader(buffer.WrittenMemory);
        return CommandTraceFormat.ReadHeader(ref r);
    }

    [Fact]
    public void Every_engine_setting_the_server_runs_with_survives_the_header()
    {
        var engine = new DispatchOptions
        {
            Profile = DispatchProfile.General,
            PickupServiceMinutes = 2.5,
            TickIntervalMinutes = 0.5,
            GeneralImprovementMovesPerTick = 7,
            Replanning = false,
            TravelWeight = 0.1 + 0.2, // not a short decimal: must round-trip exactly
            MaxRouteStops = 30,
        };
        var options = new ServerOptions { Engine = engine, MetersPerMinute = 427 };
        var h = WriteAndRead(TraceRecorder.HeaderFor(options, journalEpochUnixMs: 5, priorRecords: 0, createdUnixMs: 6));

        Assert.Equal(engine, TraceEngineSettings.OptionsFrom(h));
        Assert.Equal((427.0, 5L, 6L), (h.MetersPerMinute, h.JournalEpochUnixMs, h.CreatedUnixMs));
        Assert.Equal(("General", 2.5, 7L, false), (h.EngineSettings["profile"], h.EngineSettings["pickupServiceMinutes"], h.EngineSettings["generalImprovementMovesPerTick"], h.EngineSettings["replanning"]));
        Assert.DoesNotContain("initialOrderCapacity", h.EngineSettings.Keys);
        // The six settings older traces carry come first, under their old keys.
        Assert.Equal(["profile", "pickupServiceMinutes", "dropoffServiceMinutes", "targetClickToDoorMinutes", "maxClickToDoorMinutes", "tickIntervalMinutes"], h.EngineSettings.Keys.Take(6));
    }

    [Fact]
    public void A_bad_engine_setting_in_a_header_names_its_key()
    {
        var h = new TraceHeader { EngineSettings = { ["profile"] = "Fastest", ["someLaterSetting"] = 1L } };
        var ex = Assert.Throws<FormatException>(() => TraceEngineSettings.OptionsFrom(WriteAndRead(h)));
        Assert.Contains("profile", ex.Message);
        Assert.Equal(new DispatchOptions(), TraceEngineSettings.OptionsFrom(WriteAndRead(new TraceHeader { EngineSettings = { ["someLaterSetting"] = 1L } })));
    }
}
