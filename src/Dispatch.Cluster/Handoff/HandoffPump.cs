using Dispatch.Cluster.Hosting;
using Dispatch.Cluster.Regions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Dispatch.Cluster.Handoff;

/// <summary>
/// A silo's own hand-off rounds (<see cref="HandoffSettings.EverySeconds"/> &gt; 0): one <see cref="HandoffCoordinator"/>
/// round over every region at that interval, so a live cluster moves couriers without a caller running rounds. A round
/// that fails (a region reloading, the silo stopping) is logged and the next one finishes what it left pending.
/// </summary>
internal sealed class HandoffPump : BackgroundService
{
    private readonly IGrainFactory _grains;
    private readonly RegionMap _map;
    private readonly HandoffSettings _settings;
    private readonly ILogger<HandoffPump> _log;

    public HandoffPump(IGrainFactory grains, RegionMap map, IOptions<DispatchClusterOptions> options, ILogger<HandoffPump> log)
    {
        _grains = grains;
        _map = map;
        _settings = options.Value.Handoff;
        _log = log;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_settings.EverySeconds <= 0) return;
        var coordinator = new HandoffCoordinator(_grains, [.. _map.Regions.Select(r => r.Id)], _settings.Round);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(_settings.EverySeconds));
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var round = await coordinator.RunAsync();
                if (round.Adopted.Count + round.RolledBack.Count + round.Unfinished.Count > 0)
                    _log.LogInformation("Hand-off round: {Adopted} adopted, {RolledBack} rolled back, {Unfinished} left pending", round.Adopted.Count, round.RolledBack.Count, round.Unfinished.Count);
            }
            catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
            {
                _log.LogWarning(ex, "Hand-off round failed; the next one finishes what it left pending");
            }
        }
    }
}
