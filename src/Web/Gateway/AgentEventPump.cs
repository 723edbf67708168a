using System.Collections.Concurrent;
using System.Threading.Channels;
using Channel = System.Threading.Channels.Channel;
using CallCenter.Grains;
using CallCenter.Model;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;
using Proto = CallCenter.Gateway.V1;

namespace CallCenter.Web.Gateway;

/// <summary>
/// One desktop event stream: watches the agent (offers, presence, supervisor messages) and the agent's calls (connected,
/// held, ended), and queues what the desktop should see. Offers carry the screen-pop, read when the offer arrives.
/// </summary>
internal sealed partial class AgentEventPump : IAgentObserver, ICallObserver, IAsyncDisposable
{
    private readonly IGrainFactory _grains;
    private readonly string _agentId;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<Proto.AgentEvent> _events = System.Threading.Channels.Channel.CreateBounded<Proto.AgentEvent>(new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropOldest });
    private readonly ConcurrentDictionary<string, ICallGrain> _watchedCalls = new(StringComparer.Ordinal);
    private readonly IAgentObserver _agentReference;
    private readonly ICallObserver _callReference;

    public AgentEventPump(IGrainFactory grains, string agentId, TimeProvider time, ILogger logger)
    {
        _grains = grains;
        _agentId = agentId;
        _time = time;
        _logger = logger;
        _agentReference = grains.CreateObjectReference<IAgentObserver>(this);
        _callReference = grains.CreateObjectReference<ICallObserver>(this);
    }

    public ChannelReader<Proto.AgentEvent> Events => _events.Reader;

    private IAgentGrain Agent => _grains.GetGrain<IAgentGrain>(_agentId);

    /// <summary>Subscribes (again: the agent forgets observers after ten minutes without a renewal).</summary>
    public Task SubscribeAsync() => Agent.SubscribeAsync(_agentReference);

    /// <summary>The session's opening event: its state and the calls the agent holds (watched from now on).</summary>
    public async Task<Proto.SessionStarted> StartAsync(DesktopConnection connection)
    {
        await SubscribeAsync();
        var status = await Agent.GetStatusAsync();
        var started = new Proto.SessionStarted { SessionId = connection.SessionId, Resumed = connection.Resumed, State = ProtoMapping.ToProto(status) };
        foreach (var call in status.Calls)
        {
            started.Calls.Add(ProtoMapping.ToProto(await WatchAsync(call.CallId)));
        }

        if (status.Offer is { } offer)
        {
            // An offer made while the desktop was away: show it again.
            var snapshot = await WatchAsync(offer.CallId);
            if (snapshot.State == CallState.Offered && snapshot.OfferedAgentId == _agentId)
            {
                await WriteOfferAsync(new OfferLease { CallId = offer.CallId, QueueId = offer.QueueId, AgentId = _agentId, Epoch = offer.Epoch, ExpiresAt = offer.OfferExpiresAt ?? _time.GetUtcNow() });
            }
        }

        return started;
    }

    public void OnOffer(OfferLease offer) => _ = WriteOfferAsync(offer);

    public void OnOfferWithdrawn(string callId, long epoch) =>
        Write(new Proto.AgentEvent { OfferWithdrawn = new Proto.OfferWithdrawn { CallId = callId, Epoch = epoch } });

    public void OnPresenceChanged(AgentStatus status) => Write(new Proto.AgentEvent { State = ProtoMapping.ToProto(status) });

    public void OnSupervisorMessage(string from, string text) =>
        Write(new Proto.AgentEvent { SupervisorMessage = new Proto.SupervisorMessage { From = from, Text = text } });

    public void OnCallChanged(CallNotice notice)
    {
        var call = notice.Call;
        Write(new Proto.AgentEvent { Call = ProtoMapping.ToProto(call) });
        if (call.State == CallState.Ended || (call.AgentId != _agentId && call.State is not (CallState.Offered or CallState.Consulting)))
        {
            // The call left this agent: stop watching it.
            _ = UnwatchAsync(call.CallId);
        }
    }

    public void Heartbeat() => Write(new Proto.AgentEvent { Heartbeat = new Proto.Heartbeat() });

    public async ValueTask DisposeAsync()
    {
        _events.Writer.TryComplete();
        try
        {
            await Agent.UnsubscribeAsync(_agentReference);
            foreach (var callId in _watchedCalls.Keys.ToList())
            {
                await UnwatchAsync(callId);
            }
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            LogCleanUpFailed(exception, _agentId);
        }

        _grains.DeleteObjectReference<IAgentObserver>(_agentReference);
        _grains.DeleteObjectReference<ICallObserver>(_callReference);
    }

    private async Task WriteOfferAsync(OfferLease offer)
    {
        try
        {
            var call = await WatchAsync(offer.CallId);
            var customer = call.CustomerKey is { } key ? await _grains.GetGrain<ICustomerGrain>(key).GetProfileAsync() : null;
            Write(new Proto.AgentEvent
            {
                Offer = new Proto.Offer
                {
                    CallId = offer.CallId,
                    Epoch = offer.Epoch,
                    QueueId = offer.QueueId,
                    WaitedSeconds = offer.WaitedSeconds,
                    ExpiresAt = Timestamp.FromDateTimeOffset(offer.ExpiresAt),
                    ScreenPop = ProtoMapping.ScreenPop(call, customer),
                },
            });
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            LogScreenPopFailed(exception, _agentId, offer.CallId);
        }
    }

    private async Task<CallSnapshot> WatchAsync(string callId)
    {
        var call = _grains.GetGrain<ICallGrain>(callId);
        if (_watchedCalls.TryAdd(callId, call))
        {
            await call.ObserveAsync(_callReference);
        }

        return await call.GetAsync();
    }

    private async Task UnwatchAsync(string callId)
    {
        if (_watchedCalls.TryRemove(callId, out var call))
        {
            await call.UnobserveAsync(_callReference);
        }
    }

    private void Write(Proto.AgentEvent agentEvent)
    {
        agentEvent.At = Timestamp.FromDateTimeOffset(_time.GetUtcNow());
        _events.Writer.TryWrite(agentEvent);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not build the screen-pop of call {CallId} for agent {AgentId}")]
    private partial void LogScreenPopFailed(Exception exception, string agentId, string callId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Cleaning up agent {AgentId}'s event stream failed")]
    private partial void LogCleanUpFailed(Exception exception, string agentId);
}
