using System.Net;
using CallCenter.WebRtc.Stun;

namespace CallCenter.WebRtc.Ice;

/// <summary>
/// The ICE-lite side of one media stream (RFC 8445 sections 2.5, 6.1.1 and 7.3): it never sends checks, it answers
/// the browser's Binding requests and takes the source of a nominating request (USE-CANDIDATE) as the media's
/// destination. A later nomination moves it (the browser's network changed). Consent (RFC 7675): the selected
/// pair lapses when no valid check came from it for <see cref="ConsentTimeout"/>.
/// Not tied to a socket: the edge hands it the datagrams its RFC 7983 classifier calls STUN and sends the responses.
/// </summary>
public sealed class IceLiteAgent : IDisposable
{
    /// <summary>RFC 7675 section 5.1: consent expires 30 seconds after the last check that proved it.</summary>
    public static readonly TimeSpan ConsentTimeout = TimeSpan.FromSeconds(30);

    private readonly TimeProvider _timeProvider;
    private readonly byte[] _localKey;
    private readonly ITimer _consentTimer;
    private readonly Lock _gate = new();
    private IPEndPoint? _selected;
    private long _lastConsentTimestamp;

    public IceLiteAgent(IceCredentials local, TimeProvider timeProvider)
    {
        LocalCredentials = local;
        _timeProvider = timeProvider;
        _localKey = StunIntegrity.ShortTermKey(local.Password);
        _consentTimer = timeProvider.CreateTimer(_ => CheckConsent(fromTimer: true), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public IceCredentials LocalCredentials { get; }

    /// <summary>The browser's ufrag and password from its SDP; until they are known any remote ufrag is accepted.</summary>
    public IceCredentials? RemoteCredentials { get; private set; }

    public IceLiteCounters Counters { get; } = new();

    /// <summary>Raised (outside the agent's lock) when the selected pair is nominated, moves, or lapses (null).</summary>
    public event Action<IPEndPoint?>? SelectedRemoteChanged;

    /// <summary>Where media goes: the last nominated source while consent is fresh, otherwise null.</summary>
    public IPEndPoint? SelectedRemote
    {
        get
        {
            CheckConsent(fromTimer: false);
            lock (_gate)
            {
                return _selected;
            }
        }
    }

    public void SetRemoteCredentials(IceCredentials remote) => RemoteCredentials = remote;

    /// <summary>Handles one datagram from <paramref name="source"/>; never throws on its content.</summary>
    public IceLiteResult HandleStun(ReadOnlySpan<byte> datagram, IPEndPoint source)
    {
        var parsed = StunParser.Parse(datagram);
        if (parsed.Message is null
            || parsed.Failure is not (StunParseFailure.None or StunParseFailure.UnknownComprehensionRequired))
        {
            Counters.Count(parsed.Failure);
            return Finish(new IceLiteResult(IceLiteOutcome.DroppedMalformed, null, parsed.Failure));
        }

        var request = parsed.Message;
        if (request.Class != StunClass.Request)
        {
            // RFC 5389 section 7.3: unknown comprehension-required attributes in an indication or response just drop it.
            return Finish(new IceLiteResult(IceLiteOutcome.DroppedNotRequest, null));
        }

        if (request.Method != StunMethod.Binding || request.Username is null || !request.HasMessageIntegrity
            || !request.HasFingerprint || request.Priority is null
            || (request.IceControlling is null && request.IceControlled is null))
        {
            // RFC 5389 section 10.1.2 (no USERNAME or MESSAGE-INTEGRITY) and RFC 8445 section 7.1.1-7.1.3
            // (every check carries PRIORITY, a role attribute and FINGERPRINT).
            return Finish(Error(request, IceLiteOutcome.BadRequest, StunErrorCode.BadRequest, "Bad Request", authenticated: false));
        }

        if (!IsOurUsername(request.Username) || !request.VerifyMessageIntegrity(_localKey))
        {
            return Finish(Error(request, IceLiteOutcome.Unauthorized, StunErrorCode.Unauthorized, "Unauthorized", authenticated: false));
        }

        if (parsed.Failure == StunParseFailure.UnknownComprehensionRequired)
        {
            var response = StunMessageBuilder.ResponseTo(request, success: false)
                .AddErrorCode(StunErrorCode.UnknownAttribute, "Unknown Attribute")
                .AddUnknownAttributes(request.UnknownComprehensionRequired)
                .Build(_localKey);
            return Finish(new IceLiteResult(IceLiteOutcome.UnknownAttribute, response));
        }

        if (request.IceControlled is not null)
        {
            // RFC 8445 section 7.3.1.1: both sides claim controlled. A lite agent is always controlled (section 6.1.1)
            // and cannot switch, so whatever the tie-breakers it keeps its role and answers 487; the full agent
            // then takes the controlling role.
            return Finish(Error(request, IceLiteOutcome.RoleConflict, StunErrorCode.RoleConflict, "Role Conflict", authenticated: true));
        }

        var success = StunMessageBuilder.ResponseTo(request, success: true)
            .AddXorMappedAddress(source)
            .Build(_localKey);
        return Finish(new IceLiteResult(Accept(source, request.UseCandidate), success));
    }

    public void Dispose() => _consentTimer.Dispose();

    private bool IsOurUsername(string username)
    {
        // The request's USERNAME is "<our ufrag>:<their ufrag>" (RFC 8445 section 7.2.2).
        var expectedPrefix = LocalCredentials.Ufrag + ":";
        if (!username.StartsWith(expectedPrefix, StringComparison.Ordinal) || username.Length == expectedPrefix.Length)
        {
            return false;
        }

        return RemoteCredentials is not { } remote
               || string.Equals(username[expectedPrefix.Length..], remote.Ufrag, StringComparison.Ordinal);
    }

    private IceLiteOutcome Accept(IPEndPoint source, bool useCandidate)
    {
        var now = _timeProvider.GetTimestamp();
        var changed = false;
        lock (_gate)
        {
            if (useCandidate && !source.Equals(_selected))
            {
                _selected = source;
                changed = true;
            }

            if (source.Equals(_selected))
            {
                // A valid check from the selected address is the peer's proof that it still wants our media.
                _lastConsentTimestamp = now;
                _consentTimer.Change(ConsentTimeout, Timeout.InfiniteTimeSpan);
            }
        }

        if (changed)
        {
            SelectedRemoteChanged?.Invoke(source);
        }

        return useCandidate ? IceLiteOutcome.Nominated : IceLiteOutcome.Answered;
    }

    private void CheckConsent(bool fromTimer)
    {
        bool expired;
        lock (_gate)
        {
            expired = _selected is not null
                      && _timeProvider.GetElapsedTime(_lastConsentTimestamp) >= ConsentTimeout;
            if (expired)
            {
                _selected = null;
                _consentTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            }
            else if (fromTimer && _selected is not null)
            {
                // Woken early (a refresh raced the timer): wait for the rest of the timeout.
                var remaining = ConsentTimeout - _timeProvider.GetElapsedTime(_lastConsentTimestamp);
                _consentTimer.Change(remaining, Timeout.InfiniteTimeSpan);
            }
        }

        if (expired)
        {
            Counters.CountConsentExpiration();
            SelectedRemoteChanged?.Invoke(null);
        }
    }

    private IceLiteResult Error(StunMessage request, IceLiteOutcome outcome, int code, string reason, bool authenticated)
    {
        // Only a request that proved our password gets an integrity-protected error (RFC 5389 section 10.1.2).
        var response = StunMessageBuilder.ResponseTo(request, success: false)
            .AddErrorCode(code, reason)
            .Build(authenticated ? _localKey : default);
        return new IceLiteResult(outcome, response);
    }

    private IceLiteResult Finish(IceLiteResult result)
    {
        Counters.Count(result.Outcome);
        return result;
    }
}
