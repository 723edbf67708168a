using CallCenter.Grains;
using CallCenter.Model;
using Microsoft.Extensions.Logging;

namespace CallCenter.EdgeSip.Calls;

/// <summary>
/// The edge's one retry policy for grain calls: an idempotent call (arrive, enqueue, accept, media connected, hang-up)
/// that failed transiently (<see cref="GrainCallFaults"/>: a silo frozen or being replaced, Redis restarting) is repeated
/// after a growing pause on the edge's clock, for at most <see cref="GiveUpAfter"/>; any other failure, or one that
/// lasts longer, is the caller's to handle. Bounded, so a call whose grains stay away ends within its edge lease.
/// </summary>
internal sealed partial class GrainCallRetry(TimeProvider time, ILogger logger)
{
    /// <summary>The pauses between attempts; the last repeats until <see cref="GiveUpAfter"/>.</summary>
    public static readonly IReadOnlyList<TimeSpan> Backoff =
        [TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)];

    /// <summary>No attempt starts later than this after the first (a call's edge lease is a minute).</summary>
    public static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(40);

    /// <summary>
    /// How long one attempt is awaited. An Orleans client sends a grain's messages through one gateway; a frozen silo's
    /// gateway holds them without failing for Orleans' whole response timeout. Past this the attempt is abandoned and the
    /// call repeated (they are idempotent), reaching the grain once the client has moved off that gateway.
    /// </summary>
    public static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(2.5);

    /// <summary>A new call waits less: its caller hears nothing but 100 Trying meanwhile, and a 503 lets the carrier try elsewhere.</summary>
    public static readonly TimeSpan ArrivalGiveUpAfter = TimeSpan.FromSeconds(5);

    public async Task<T> RunAsync<T>(string operation, string callId, Func<Task<T>> call, TimeSpan? giveUpAfter = null, CancellationToken cancellationToken = default)
    {
        var budget = giveUpAfter ?? GiveUpAfter;
        var started = time.GetTimestamp();
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var pending = call();
                // An abandoned attempt may still fail later: its fault is observed here, not left to the finaliser.
                _ = pending.ContinueWith(static abandoned => abandoned.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                return await pending.WaitAsync(AttemptTimeout, time, cancellationToken);
            }
            catch (Exception exception) when (GrainCallFaults.IsTransient(exception) && !cancellationToken.IsCancellationRequested)
            {
                var pause = Backoff[Math.Min(attempt, Backoff.Count - 1)];
                if (time.GetElapsedTime(started) + pause > budget)
                {
                    LogGaveUp(exception, operation, callId, attempt + 1);
                    throw;
                }

                LogRetrying(operation, callId, attempt + 1, exception.GetType().Name, pause.TotalMilliseconds);
                await Task.Delay(pause, time, cancellationToken);
            }
        }
    }

    public async Task RunAsync(string operation, string callId, Func<Task> call, TimeSpan? giveUpAfter = null, CancellationToken cancellationToken = default) =>
        await RunAsync(operation, callId, async () =>
        {
            await call();
            return true;
        }, giveUpAfter, cancellationToken);

    /// <summary>
    /// A hang-up, repeated until the grain takes it; each attempt says how long ago the hang-up happened, so a hang-up
    /// delivered late still ends the call (its talk, wait and record) when it really ended.
    /// </summary>
    public Task<CommandResult> HangUpAsync(ICallGrain grain, string callId, CallParty party, string? reason = null)
    {
        var hungUpAt = time.GetTimestamp();
        var hungUpAtClock = time.GetUtcNow();
        return RunAsync("hang-up", callId, () =>
        {
            // The instant too: an attempt held in transit arrives with an "ago" that stopped counting when it was sent.
            HangUpContext.Set(hungUpAtClock);
            try
            {
                return grain.HangUpSinceAsync(party, time.GetElapsedTime(hungUpAt), reason);
            }
            finally
            {
                HangUpContext.Clear();
            }
        });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Edge call {CallId}: {Operation} failed transiently (attempt {Attempt}, {Fault}); trying again in {PauseMs} ms")]
    private partial void LogRetrying(string operation, string callId, int attempt, string fault, double pauseMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Edge call {CallId}: {Operation} still failing after {Attempts} attempts; giving up")]
    private partial void LogGaveUp(Exception exception, string operation, string callId, int attempts);
}
