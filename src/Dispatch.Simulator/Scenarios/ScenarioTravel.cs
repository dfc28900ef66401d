// The scenario world's two travel rules, named once for the three files that run that world (WorldReplay,
// ScenarioWorld, DrivingCouriers) so they cannot drift apart: what the engine believes (its traffic picture
// over the Euclidean metric, told to it as commands) and what the world's couriers really drive in (the
// world's own traffic over the same metric).
global using EngineTravel = Dispatch.Hosting.TrafficPictureTravel<Dispatch.Travel.EuclideanCeilMinutes>;
global using WorldTravel = Dispatch.Traffic.TrafficAdjusted<Dispatch.Travel.EuclideanCeilMinutes>;
