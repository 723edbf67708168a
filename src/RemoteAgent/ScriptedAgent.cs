using CallCenter.Gateway.V1;

namespace CallCenter.RemoteAgent;

/// <summary>What the unattended desktop does on its own.</summary>
public sealed record AgentScript
{
    public bool AutoAccept { get; init; }
    public string? WrapUpCode { get; init; }
    public TimeSpan? Hold { get; init; }
    public TimeSpan? HangUpAfter { get; init; }
    public int? MaxCalls { get; init; }

    public static AgentScript From(RemoteAgentOptions options) => new()
    {
        AutoAccept = options.AutoAccept,
        WrapUpCode = options.WrapUpCode,
        Hold = options.Hold,
        HangUpAfter = options.HangUpAfter,
        MaxCalls = options.MaxCalls,
    };
}

/// <summary>
/// The automatic agent, driven by the session's events: accepts offers, holds and resumes or hangs up on timers once
/// a call connects, wraps up ended calls, and finishes after <see cref="AgentScript.MaxCalls"/> calls. Events come one
/// at a time (the session's loop); only the timers run beside it.
/// </summary>
public sealed class ScriptedAgent : IDisposable
{
    private readonly IDeskCommands _desk;
    private readonly AgentScript _script;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationToken _stoppingToken;
    private readonly TaskCompletionSource _finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _lock = new();
    private readonly Dictionary<string, ScriptedCall> _calls = [];
    private readonly Queue<string> _awaitingWrapUp = new();
    private AgentState _agentState = AgentState.Unspecified;
    private int _handledCalls;

    public ScriptedAgent(IDeskCommands desk, AgentScript script, TimeProvider time)
    {
        _desk = desk;
        _script = script;
        _time = time;
        _stoppingToken = _stopping.Token;
    }

    /// <summary>Completes after <see cref="AgentScript.MaxCalls"/> handled calls; faults when a timed command fails fatally.</summary>
    public Task Finished => _finished.Task;

    public int HandledCalls => Volatile.Read(ref _handledCalls);

    public async Task HandleAsync(AgentEvent agentEvent, CancellationToken cancellationToken)
    {
        switch (agentEvent.EventCase)
        {
            case AgentEvent.EventOneofCase.Offer when _script.AutoAccept:
                var offer = agentEvent.Offer;
                var accepted = await _desk.AcceptAsync(offer.CallId, offer.Epoch, cancellationToken);
                if (accepted.Ok)
                {
                    Track(offer.CallId);
                }
                break;
            case AgentEvent.EventOneofCase.Call:
                await OnCallAsync(agentEvent.Call, cancellationToken);
                break;
            case AgentEvent.EventOneofCase.State:
                _agentState = agentEvent.State.State;
                await WrapUpEndedCallsAsync(cancellationToken);
                break;
            case AgentEvent.EventOneofCase.Session:
                if (agentEvent.Session.State is { } state)
                {
                    _agentState = state.State;
                }
                // A resumed session lists the calls that survived the reconnect: carry on with them.
                foreach (var call in agentEvent.Session.Calls)
                {
                    Track(call.CallId);
                    await OnCallAsync(call, cancellationToken);
                }
                await WrapUpEndedCallsAsync(cancellationToken);
                break;
        }
    }

    /// <summary>
    /// Wraps up the ended calls once the agent has left Busy: the server completes the wrap-up phase only when the
    /// disposition comes in that phase, and the call's end and the agent's move to WrapUp come from different grains,
    /// in either order.
    /// </summary>
    private async Task WrapUpEndedCallsAsync(CancellationToken cancellationToken)
    {
        if (_agentState is AgentState.Busy or AgentState.Reserved)
        {
            return;
        }
        while (_awaitingWrapUp.Count > 0)
        {
            var callId = _awaitingWrapUp.Dequeue();
            if (_script.WrapUpCode is { } code)
            {
                await _desk.WrapUpAsync(callId, code, "", cancellationToken);
            }
            CountHandled();
        }
    }

    private void CountHandled()
    {
        var handled = Interlocked.Increment(ref _handledCalls);
        if (_script.MaxCalls is { } max && handled >= max)
        {
            _finished.TrySetResult();
        }
    }

    private ScriptedCall Track(string callId)
    {
        lock (_lock)
        {
            if (!_calls.TryGetValue(callId, out var call))
            {
                call = new ScriptedCall(callId);
                _calls[callId] = call;
            }
            return call;
        }
    }

    private async Task OnCallAsync(CallUpdate update, CancellationToken cancellationToken)
    {
        ScriptedCall? call;
        lock (_lock)
        {
            _calls.TryGetValue(update.CallId, out call);
        }
        if (call is null)
        {
            // Not a call this desktop accepted (another agent's consult leg, say): nothing to drive.
            return;
        }

        if (CallStates.Is(update.State, CallStates.Connected) && !call.Connected)
        {
            call.Connected = true;
            // Timers start before the commands go out, so they count from the connect and anyone who sees the
            // command at the server knows the timer already runs.
            if (_script.HangUpAfter is { } hangUpAfter)
            {
                call.AddTimer(_time.CreateTimer(_ => RunTimed(() => _desk.HangUpAsync(call.CallId, _stoppingToken)),
                    null, hangUpAfter, Timeout.InfiniteTimeSpan));
            }
            if (_script.Hold is { } hold)
            {
                var resume = _time.CreateTimer(_ => RunTimed(() => _desk.ResumeAsync(call.CallId, _stoppingToken)),
                    null, hold, Timeout.InfiniteTimeSpan);
                call.AddTimer(resume);
                var held = await _desk.HoldAsync(call.CallId, cancellationToken);
                if (!held.Ok)
                {
                    resume.Dispose();
                }
            }
        }
        else if ((CallStates.Is(update.State, CallStates.Ended) || CallStates.Is(update.State, CallStates.Queued)) && !call.Finished)
        {
            call.Finished = true;
            call.DisposeTimers();
            if (_script.WrapUpCode is null)
            {
                CountHandled();
                return;
            }
            _awaitingWrapUp.Enqueue(call.CallId);
            await WrapUpEndedCallsAsync(cancellationToken);
        }
    }

    private void RunTimed(Func<Task<CommandOutcome>> command)
    {
        _ = RunAsync();

        async Task RunAsync()
        {
            try
            {
                await command();
            }
            catch (OperationCanceledException) when (_stoppingToken.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                // A timer has nobody to throw to: the failure (an expired session, say) ends the script.
                _finished.TrySetException(e);
            }
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        lock (_lock)
        {
            foreach (var call in _calls.Values)
            {
                call.DisposeTimers();
            }
        }
        _stopping.Dispose();
    }

    private sealed class ScriptedCall(string callId)
    {
        private readonly List<ITimer> _timers = [];

        public string CallId { get; } = callId;
        public bool Connected { get; set; }
        public bool Finished { get; set; }

        public void AddTimer(ITimer timer)
        {
            lock (_timers)
            {
                _timers.Add(timer);
            }
        }

        public void DisposeTimers()
        {
            lock (_timers)
            {
                foreach (var timer in _timers)
                {
                    timer.Dispose();
                }
                _timers.Clear();
            }
        }
    }
}

/// <summary>The call states the server reports in <see cref="CallUpdate.State"/> (the proto's list, and Offered before an accept).</summary>
public static class CallStates
{
    public const string Offered = "Offered";
    public const string Connecting = "Connecting";
    public const string Connected = "Connected";
    public const string Held = "Held";
    public const string Consulting = "Consulting";
    public const string Queued = "Queued";
    public const string Ended = "Ended";

    public static bool Is(string state, string expected) => string.Equals(state, expected, StringComparison.OrdinalIgnoreCase);
}
