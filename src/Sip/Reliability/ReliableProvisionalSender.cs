using System.Security.Cryptography;

namespace CallCenter.Sip.Reliability;

/// <summary>
/// The UAS side of RFC 3262 for one INVITE: provisionals (101-199) sent reliably with <c>Require: 100rel</c> and an
/// RSeq that starts at random and goes up by one; each is passed to <c>transmit</c> again at T1, 2·T1, 4·T1... until its
/// PRACK, and after 64·T1 without one <see cref="Unacknowledged"/> is raised (the INVITE should then get a 5xx). One
/// reliable provisional is outstanding at a time; later ones wait their turn (section 3). A PRACK whose RAck names the
/// outstanding one is matched (answer 200); any other gets 481. A 2xx must wait while an unacknowledged reliable
/// provisional carried a session description (<see cref="ReadyForSuccessAsync"/>); the final response stops it all.
/// </summary>
public sealed class ReliableProvisionalSender : IDisposable
{
    private readonly Lock _gate = new();
    private readonly SipRequest _invite;
    private readonly Action<SipResponse> _transmit;
    private readonly TimeProvider _time;
    private readonly TimeSpan _t1;
    private readonly Queue<SipResponse> _waiting = new();
    private SipResponse? _outstanding;
    private uint _nextRSeq;
    private ITimer? _timer;
    private TimeSpan _interval;
    private TimeSpan _elapsed;
    private TaskCompletionSource? _readyForSuccess;
    private bool _finished;

    public ReliableProvisionalSender(SipRequest invite, Action<SipResponse> transmit, TimeProvider time, TimeSpan t1, uint? firstRSeq = null)
    {
        _invite = invite;
        _transmit = transmit;
        _time = time;
        _t1 = t1;

        // Section 3: the first RSeq is chosen at random between 1 and 2^31 - 1.
        _nextRSeq = firstRSeq ?? (uint)RandomNumberGenerator.GetInt32(1, int.MaxValue);
    }

    /// <summary>A reliable provisional went 64·T1 without a PRACK (raised once, on a timer thread).</summary>
    public event Action<SipResponse>? Unacknowledged;

    /// <summary>True while a reliable provisional waits for its PRACK.</summary>
    public bool HasOutstanding
    {
        get
        {
            lock (_gate)
            {
                return _outstanding is not null;
            }
        }
    }

    /// <summary>Sends <paramref name="provisional"/> reliably (adds Require: 100rel and RSeq), now or once the outstanding one is acknowledged.</summary>
    public void Send(SipResponse provisional)
    {
        if (provisional.StatusCode is <= 100 or >= 200)
        {
            throw new ArgumentException("only a 101-199 response is sent reliably", nameof(provisional));
        }

        lock (_gate)
        {
            if (_finished)
            {
                return;
            }

            if (_outstanding is not null)
            {
                _waiting.Enqueue(provisional);
                return;
            }

            StartLocked(provisional);
        }
    }

    /// <summary>A PRACK for this INVITE: true when its RAck matches the outstanding reliable provisional (it stops repeating), false for a 481.</summary>
    public bool OnPrack(SipRequest prack)
    {
        if (!ReliableProvisionalHeaders.TryReadRAck(prack, out var rseq, out var cseq, out var method))
        {
            return false;
        }

        lock (_gate)
        {
            if (_outstanding is not { } outstanding || RSeqOf(outstanding) != rseq
                || _invite.CSeq is not { } inviteCSeq || inviteCSeq.Number != cseq
                || !string.Equals(method, inviteCSeq.Method, StringComparison.Ordinal))
            {
                return false;
            }

            StopTimerLocked();
            _outstanding = null;
            if (_waiting.Count > 0)
            {
                StartLocked(_waiting.Dequeue());
            }

            ReleaseSuccessIfReadyLocked();
            return true;
        }
    }

    /// <summary>
    /// Completes when a 2xx may be sent: no unacknowledged reliable provisional (sent or waiting) carries a session
    /// description (section 3). Other final responses need not wait.
    /// </summary>
    public Task ReadyForSuccessAsync()
    {
        lock (_gate)
        {
            if (!BlocksSuccessLocked())
            {
                return Task.CompletedTask;
            }

            _readyForSuccess ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _readyForSuccess.Task;
        }
    }

    /// <summary>The INVITE got its final response: nothing more is sent or repeated.</summary>
    public void OnFinalResponse()
    {
        lock (_gate)
        {
            _finished = true;
            _waiting.Clear();
            StopTimerLocked();
            _readyForSuccess?.TrySetResult();
        }
    }

    public void Dispose() => OnFinalResponse();

    private static uint? RSeqOf(SipResponse response) =>
        uint.TryParse(response.Headers.GetFirst(ReliableProvisionalHeaders.RSeq), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var rseq) ? rseq : null;

    private void StartLocked(SipResponse provisional)
    {
        if (!ReliableProvisionalHeaders.Lists(provisional, SipHeaderNames.Require))
        {
            provisional.Headers.Add(SipHeaderNames.Require, ReliableProvisionalHeaders.OptionTag);
        }

        provisional.Headers.Set(ReliableProvisionalHeaders.RSeq, _nextRSeq.ToString(System.Globalization.CultureInfo.InvariantCulture));
        _nextRSeq++;
        _outstanding = provisional;
        _interval = _t1;
        _elapsed = TimeSpan.Zero;
        _timer = _time.CreateTimer(_ => Repeat(provisional), null, _interval, Timeout.InfiniteTimeSpan);
        _transmit(provisional);
    }

    private void Repeat(SipResponse provisional)
    {
        var abandoned = false;
        lock (_gate)
        {
            if (_finished || !ReferenceEquals(_outstanding, provisional))
            {
                return;
            }

            _elapsed += _interval;
            if (_elapsed >= _t1 * 64)
            {
                abandoned = true;
                StopTimerLocked();
            }
            else
            {
                // No T2 cap here (section 3: the interval doubles), and the last wait ends at 64·T1 exactly.
                _interval = TimeSpan.FromTicks(Math.Min(_interval.Ticks * 2, (_t1 * 64 - _elapsed).Ticks));
                _timer?.Change(_interval, Timeout.InfiniteTimeSpan);
                _transmit(provisional);
            }
        }

        if (abandoned)
        {
            Unacknowledged?.Invoke(provisional);
        }
    }

    private bool BlocksSuccessLocked() =>
        !_finished && ((_outstanding is { Body.Length: > 0 }) || _waiting.Any(waiting => waiting.Body.Length > 0));

    private void ReleaseSuccessIfReadyLocked()
    {
        if (_readyForSuccess is { } ready && !BlocksSuccessLocked())
        {
            _readyForSuccess = null;
            ready.TrySetResult();
        }
    }

    private void StopTimerLocked()
    {
        _timer?.Dispose();
        _timer = null;
    }
}
