namespace Dispatch.Core.Tests.Exceptions;

/// <summary>Random runs with failed and wrong deliveries and kitchen changes: no order is lost, counts stay
/// consistent, every re-made order is delivered; a snapshot taken mid-run decides exactly as the original.</summary>
public class ExceptionPropertyTests
{
    private static DispatchEngine<EuclideanCeilMinutes> Engine(DispatchProfile profile) => EngineFactory.Create(profile);

    [Property(MaxTest = 25)]
    public void No_order_is_lost_and_every_remade_order_is_delivered(PositiveInt seed)
    {
        foreach (var profile in new[] { DispatchProfile.Mdrp, DispatchProfile.General, DispatchProfile.Greedy, DispatchProfile.Reyes })
        {
            var e = Engine(profile);
            var orders = ExceptionDrive.Setup(e, seed.Get, 40);
            new ExceptionDrive(orders, seed.Get).Run(e, 0, 380);
            var k = e.Counts;
            Assert.Equal(0, k.Open + k.Assigned + k.PickedUp);
            var x = e.Exceptions;
            Assert.Equal(x.Remakes, x.RemadeDelivered);
        }
    }

    [Fact]
    public void The_drive_does_exercise_every_exception()
    {
        var e = Engine(DispatchProfile.Mdrp);
        var orders = ExceptionDrive.Setup(e, 3, 120);
        new ExceptionDrive(orders, 3).Run(e, 0, 380);
        var x = e.Exceptions;
        Assert.True(x.FailedDeliveries > 0 && x.WrongDeliveries > 0 && x.Returned > 0 && x.OrderChanges > 0 && e.Counts.Cancelled > 0, x.ToString());
    }

    [Theory]
    [InlineData(DispatchProfile.Mdrp, 60)]
    [InlineData(DispatchProfile.Mdrp, 130)]
    [InlineData(DispatchProfile.General, 90)]
    [InlineData(DispatchProfile.General, 160)]
    [InlineData(DispatchProfile.Reyes, 120)]
    public void A_snapshot_with_exceptions_decides_exactly_like_the_original(DispatchProfile profile, int cut)
    {
        var a = Engine(profile);
        var orders = ExceptionDrive.Setup(a, 11, 120);
        var d = new ExceptionDrive(orders, 11);
        d.Run(a, 0, cut);
        Assert.True(a.Exceptions.Remakes > 0);
        using var ms = new MemoryStream();
        a.SaveSnapshot(ms);
        ms.Position = 0;
        var b = DispatchEngine<EuclideanCeilMinutes>.LoadSnapshot(ms, a.Travel, a.Options);
        Assert.Equal(a.Exceptions, b.Exceptions);
        Assert.Equal(a.Counts, b.Counts);
        foreach (var o in orders) Assert.Equal(a.RemakesOf(o.OrderId), b.RemakesOf(o.OrderId));

        int before = d.Log.Count;
        d.Run(a, cut, 380);
        var logA = d.Log.Skip(before).ToList();
        before = d.Log.Count;
        d.Run(b, cut, 380);
        Assert.Equal(logA, d.Log.Skip(before).ToList());
    }
}
