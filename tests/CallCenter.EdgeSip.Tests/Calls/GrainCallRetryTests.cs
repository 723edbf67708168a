using CallCenter.EdgeSip.Calls;
using CallCenter.Grains;
using CallCenter.Model;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Orleans.Runtime;
using Orleans.Serialization;

namespace CallCenter.EdgeSip.Tests.Calls;

/// <summary>The edge's retry policy: transient grain-call failures are repeated on the edge's clock, within a bound; others are not.</summary>
public sealed class GrainCallRetryTests
{
    private readonly FakeTimeProvider _clock = new();

    public static TheoryData<Exception> TransientFaults() =>
    [
        new TimeoutException("response timed out"),
        new SiloUnavailableException("silo gone"),
        new Orleans.Runtime.Messaging.ConnectionFailedException("connection lost"),
        new Orleans.Storage.InconsistentStateException("etag"),
        Fallback("Orleans.Storage.RedisStorageException, Orleans.Persistence.Redis"),
        Fallback("StackExchange.Redis.RedisConnectionException, StackExchange.Redis"),
    ];

    [Theory]
    [MemberData(nameof(TransientFaults))]
    public async Task TransientFault_IsRetriedAfterAPauseOnTheEdgesClock_UntilTheCallSucceeds(Exception fault)
    {
        var retry = new GrainCallRetry(_clock, NullLogger.Instance);
        var attempts = new AttemptLog(failures: 2, fault);

        var running = retry.RunAsync("accept", "call-1", attempts.CallAsync);
        await attempts.WaitForAsync(1);
        Assert.False(running.IsCompleted);

        // Nothing is repeated until the pause has passed on the edge's clock.
        _clock.Advance(GrainCallRetry.Backoff[0]);
        await attempts.WaitForAsync(2);
        _clock.Advance(GrainCallRetry.Backoff[1]);

        Assert.Equal(CommandStatus.Ok, (await running).Status);
        Assert.Equal(3, attempts.Count);
    }

    [Fact]
    public async Task NonTransientFault_IsNotRetried()
    {
        var retry = new GrainCallRetry(_clock, NullLogger.Instance);
        var attempts = new AttemptLog(failures: 5, new InvalidOperationException("a bug, not a fault"));

        await Assert.ThrowsAsync<InvalidOperationException>(() => retry.RunAsync("hang-up", "call-1", attempts.CallAsync));
        Assert.Equal(1, attempts.Count);
    }

    [Fact]
    public async Task LastingFault_IsGivenUpWithinItsBudget_AndRethrown()
    {
        var retry = new GrainCallRetry(_clock, NullLogger.Instance);
        var attempts = new AttemptLog(failures: int.MaxValue, new SiloUnavailableException("silo gone"));

        var running = retry.RunAsync("arrive", "call-1", attempts.CallAsync, GrainCallRetry.ArrivalGiveUpAfter);
        var elapsed = TimeSpan.Zero;
        for (var attempt = 0; !running.IsCompleted; attempt++)
        {
            await attempts.WaitForAsync(attempt + 1);
            var pause = GrainCallRetry.Backoff[Math.Min(attempt, GrainCallRetry.Backoff.Count - 1)];
            if (elapsed + pause > GrainCallRetry.ArrivalGiveUpAfter)
            {
                break;
            }

            elapsed += pause;
            _clock.Advance(pause);
        }

        await Assert.ThrowsAsync<SiloUnavailableException>(() => running);
        Assert.True(elapsed <= GrainCallRetry.ArrivalGiveUpAfter);
    }

    [Fact]
    public async Task HangUp_DeliveredLate_SaysHowLongAgoItHappened()
    {
        var retry = new GrainCallRetry(_clock, NullLogger.Instance);
        var grain = System.Reflection.DispatchProxy.Create<ICallGrain, HangUpRecorder>();
        var recorder = (HangUpRecorder)(object)grain;

        var running = retry.HangUpAsync(grain, "call-1", CallParty.Agent);
        await recorder.Attempts.Reader.ReadAsync();
        _clock.Advance(GrainCallRetry.Backoff[0]);
        await recorder.Attempts.Reader.ReadAsync();

        Assert.Equal(CommandStatus.Ok, (await running).Status);
        Assert.Equal([TimeSpan.Zero, GrainCallRetry.Backoff[0]], recorder.Agos);
    }

    [Fact]
    public async Task AttemptHeldUp_IsAbandonedAfterTheAttemptTimeout_AndRepeated()
    {
        // A frozen silo's gateway holds the first attempt without ever failing it; the second goes through.
        var retry = new GrainCallRetry(_clock, NullLogger.Instance);
        var held = new TaskCompletionSource<CommandResult>();
        var attempts = 0;
        var started = System.Threading.Channels.Channel.CreateUnbounded<int>();
        Task<CommandResult> Call()
        {
            started.Writer.TryWrite(++attempts);
            return attempts == 1 ? held.Task : Task.FromResult(CommandResult.Ok);
        }

        var running = retry.RunAsync("accept", "call-1", Call);
        await started.Reader.ReadAsync();
        _clock.Advance(GrainCallRetry.AttemptTimeout);
        _clock.Advance(GrainCallRetry.Backoff[0]);

        Assert.Equal(CommandStatus.Ok, (await running.WaitAsync(TimeSpan.FromSeconds(10))).Status);
        Assert.Equal(2, attempts);
    }

    [Fact]
    public async Task HangUp_HeldUpThenRepeated_TheRepeatSaysHowLongAgoItHappened()
    {
        var retry = new GrainCallRetry(_clock, NullLogger.Instance);
        var grain = System.Reflection.DispatchProxy.Create<ICallGrain, HangUpRecorder>();
        var recorder = (HangUpRecorder)(object)grain;
        recorder.HoldFirst = true;
        var hungUpAt = _clock.GetUtcNow();

        var running = retry.HangUpAsync(grain, "call-1", CallParty.Caller);
        await recorder.Attempts.Reader.ReadAsync();
        _clock.Advance(GrainCallRetry.AttemptTimeout);
        _clock.Advance(GrainCallRetry.Backoff[0]);
        await recorder.Attempts.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(CommandStatus.Ok, (await running.WaitAsync(TimeSpan.FromSeconds(10))).Status);
        Assert.Equal([TimeSpan.Zero, GrainCallRetry.AttemptTimeout + GrainCallRetry.Backoff[0]], recorder.Agos);
        // Each attempt also carries the instant itself: one held in transit is then not dated by its delivery.
        Assert.Equal([hungUpAt, hungUpAt], recorder.Instants);
        Assert.Null(HangUpContext.Read());
    }

    private static UnavailableExceptionFallbackException Fallback(string typeName)
    {
        var fallback = new UnavailableExceptionFallbackException("a storage failure from a silo", null!);
        typeof(UnavailableExceptionFallbackException).GetProperty(nameof(UnavailableExceptionFallbackException.ExceptionType))!.SetValue(fallback, typeName);
        return fallback;
    }

    private sealed class AttemptLog(int failures, Exception fault)
    {
        private readonly System.Threading.Channels.Channel<int> _attempts = System.Threading.Channels.Channel.CreateUnbounded<int>();
        private int _count;
        private int _seen;

        public int Count => Volatile.Read(ref _count);

        public Task<CommandResult> CallAsync()
        {
            var attempt = Interlocked.Increment(ref _count);
            _attempts.Writer.TryWrite(attempt);
            return attempt <= failures ? Task.FromException<CommandResult>(fault) : Task.FromResult(CommandResult.Ok);
        }

        public async Task WaitForAsync(int attempt)
        {
            using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            while (_seen < attempt)
            {
                _seen = await _attempts.Reader.ReadAsync(limit.Token);
            }
        }
    }

    /// <summary>A call grain whose first hang-up fails transiently; records how long ago each attempt said it happened.</summary>
    public class HangUpRecorder : System.Reflection.DispatchProxy
    {
        public System.Threading.Channels.Channel<TimeSpan> Attempts { get; } = System.Threading.Channels.Channel.CreateUnbounded<TimeSpan>();

        public List<TimeSpan> Agos { get; } = [];

        public List<DateTimeOffset?> Instants { get; } = [];

        /// <summary>The first hang-up is held (a frozen silo's gateway) instead of failing.</summary>
        public bool HoldFirst { get; set; }

        protected override object? Invoke(System.Reflection.MethodInfo? targetMethod, object?[]? args)
        {
            if (targetMethod?.Name != nameof(ICallGrain.HangUpSinceAsync))
            {
                throw new NotSupportedException(targetMethod?.Name);
            }

            var ago = (TimeSpan)args![1]!;
            Agos.Add(ago);
            Instants.Add(HangUpContext.Read());
            Attempts.Writer.TryWrite(ago);
            if (Agos.Count > 1)
            {
                return Task.FromResult(CommandResult.Ok);
            }

            return HoldFirst ? new TaskCompletionSource<CommandResult>().Task : Task.FromException<CommandResult>(new SiloUnavailableException("silo gone"));
        }
    }
}
