using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace CallCenter.EdgeSip.Calls;

/// <summary>
/// An edge call's events in arrival order, read by the call's one loop, and whether the caller is still there (the
/// caller leaving, read from here, ends whatever the loop was doing with a <see cref="CallerLeftException"/>).
/// </summary>
internal sealed partial class CallInbox(string callId, ILogger logger)
{
    private readonly Channel<CallEvent> _events = Channel.CreateUnbounded<CallEvent>(new UnboundedChannelOptions { SingleReader = false });
    private readonly ILogger _logger = logger;

    /// <summary>True once the caller left (BYE or CANCEL) or was sent our BYE: nothing more is played or sent to it.</summary>
    public bool CallerGone { get; private set; }

    public void MarkCallerGone() => CallerGone = true;

    public void Post(CallEvent callEvent)
    {
        LogEvent(callId, callEvent);
        _events.Writer.TryWrite(callEvent);
    }

    /// <summary>The next event; throws <see cref="CallerLeftException"/> when it is the caller leaving.</summary>
    public async Task<CallEvent> NextAsync()
    {
        var next = await _events.Reader.ReadAsync();
        if (next is CallerLeft)
        {
            throw CallerLeftNow();
        }

        return next;
    }

    /// <summary>Drops every event until <paramref name="until"/> is cancelled; throws <see cref="CallerLeftException"/> if the caller leaves first.</summary>
    public async Task DiscardUntilAsync(CancellationToken until)
    {
        while (true)
        {
            if (await _events.Reader.ReadAsync(until) is CallerLeft)
            {
                throw CallerLeftNow();
            }
        }
    }

    public Task<bool> WaitToReadAsync(CancellationToken cancellation = default) => _events.Reader.WaitToReadAsync(cancellation).AsTask();

    public bool TryRead(out CallEvent callEvent) => _events.Reader.TryRead(out callEvent!);

    /// <summary>Posts again, in order, events that were read while the loop was busy (they wait their turn).</summary>
    public void Requeue(List<CallEvent> held)
    {
        foreach (var callEvent in held)
        {
            Post(callEvent);
        }

        held.Clear();
    }

    /// <summary>Marks the caller gone and gives the exception that unwinds the call's loop.</summary>
    public CallerLeftException CallerLeftNow()
    {
        CallerGone = true;
        return new CallerLeftException();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Edge call {CallId}: {Event}")]
    private partial void LogEvent(string callId, CallEvent @event);
}

/// <summary>The caller left: unwinds the call's loop to its hang-up.</summary>
internal sealed class CallerLeftException : Exception;
