using System.Runtime.ExceptionServices;

namespace Dispatch.Assignment;

/// <summary>
/// The second core's share of a large matching, for engines whose options ask for it
/// (<see cref="Dispatch.Engine.DispatchOptions.UseSecondCore"/>; off by default, so Core starts no thread unless its host asks): one process-wide background thread that adds a
/// <see cref="SparseAssignmentSolver"/>'s rows (costs the candidate pairs) while the ticking thread solves the
/// rows already added (<see cref="SparseAssignmentSolver.SolveWhileFilling"/>). One fill at a time: an engine
/// that finds the lane busy (another engine ticking in the same process) fills on its own thread instead, with
/// the same result, since the rows are solved in the same order on the same data either way.
/// <para>Nothing is allocated per use: the thread is started once, on the first large tick; the fill is a
/// delegate its owner created once; the hand-off is a semaphore release and a spin on a flag.</para>
/// </summary>
internal static class FillLane
{
    private static SemaphoreSlim? Go;
    private static int Taken;        // 1 while an engine owns the lane
    private static Action? PendingFill;
    private static SparseAssignmentSolver? PendingSolver;
    private static Exception? FillError;
    private static bool Finished;    // written by the lane thread, read by the owner

    [ThreadStatic] private static int StartsHere;

    /// <summary>Fills the calling thread has started on the lane (to show that a run used it).</summary>
    public static int StartsOnThisThread => StartsHere;

    /// <summary>Whether a second core exists to run a fill on.</summary>
    public static bool Available { get; } = Environment.ProcessorCount > 1;

    /// <summary>Starts <paramref name="fill"/> on the lane (which then calls <see cref="SparseAssignmentSolver.EndRows"/>
    /// on <paramref name="solver"/>, if given, even if the fill throws); false when the lane is taken or absent.
    /// A true return must be followed by <see cref="Finish"/>. The fill may also be any other work that is
    /// independent of what the owner does meanwhile (the planner's second half of the candidate search).</summary>
    public static bool TryStart(Action fill, SparseAssignmentSolver? solver)
    {
        if (!Available || Interlocked.CompareExchange(ref Taken, 1, 0) != 0) return false;
        StartsHere++;
        if (Go is null) StartThread();
        PendingFill = fill;
        PendingSolver = solver;
        FillError = null;
        Volatile.Write(ref Finished, false);
        Go!.Release();
        return true;
    }

    /// <summary>Waits for the fill started by <see cref="TryStart"/> to return, frees the lane and rethrows the
    /// fill's exception, if any, on the owner's thread.</summary>
    public static void Finish()
    {
        var spin = new SpinWait();
        while (!Volatile.Read(ref Finished)) spin.SpinOnce(sleep1Threshold: -1);
        var error = FillError;
        PendingFill = null; // the lane keeps no engine alive
        PendingSolver = null;
        FillError = null;
        Volatile.Write(ref Taken, 0);
        if (error is not null) ExceptionDispatchInfo.Throw(error);
    }

    /// <summary>Called only by the lane's owner (after winning <c>Taken</c>), so at most once at a time.</summary>
    private static void StartThread()
    {
        var go = new SemaphoreSlim(0);
        new Thread(() => Run(go)) { IsBackground = true, Name = "Dispatch fill lane" }.Start();
        Go = go;
    }

    private static void Run(SemaphoreSlim go)
    {
        while (true)
        {
            go.Wait();
            try { PendingFill!(); }
            catch (Exception e) { FillError = e; }
            finally
            {
                PendingSolver?.EndRows();
                Volatile.Write(ref Finished, true);
            }
        }
    }
}
