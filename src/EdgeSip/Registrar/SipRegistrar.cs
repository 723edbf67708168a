using System.Globalization;
using System.Net;
using CallCenter.Sip;
using CallCenter.Sip.Auth;
using CallCenter.Sip.Transactions;
using CallCenter.Sip.Uris;

namespace CallCenter.EdgeSip.Registrar;

/// <summary>
/// A registrar (RFC 3261 section 10.3) with digest authentication verified from HA1 (no password is kept): the
/// accounts come from <see cref="IRegistrarAccounts"/> (the phone-account directory, cached). Bindings live in memory;
/// an account withdrawn (removed or changed) loses its bindings. Thread-safe: the SIP layer and a timer may call it concurrently.
/// </summary>
/// <remarks>
/// <para>
/// Order of checks: a malformed request (To, Call-ID, CSeq, Contact, Expires) gets 400 before
/// authentication, since that reveals nothing about accounts; then 420 for a Require header (no
/// extension is supported); then digest authentication, where an unknown user is challenged exactly
/// like a known one with a wrong password (<see cref="DigestAuthenticator"/>); then 403 unless the
/// authenticated user is the user part of the To URI (the domain of the To URI is not checked);
/// then 423 for a non-zero interval below <see cref="RegistrarOptions.MinExpires"/>.
/// </para>
/// <para>
/// Updates are atomic: if any contact of a REGISTER has a binding with the same Call-ID and a
/// CSeq at least as high as the request's (step 6 and 7), nothing changes and the request is
/// answered 500 (the RFC says the request "fails"; a late copy of an older REGISTER is thus ignored).
/// </para>
/// <para>
/// <see cref="BindingsChanged"/> is raised outside the binding lock, serialized, and carries the
/// agent's best binding read at the time it is raised, so the last event for an agent always reflects
/// the current state. Handlers run on the caller's thread (the SIP layer or the timer) and must be quick
/// and must not throw; an exception propagates to the caller of <see cref="HandleAsync"/> or
/// <see cref="ExpireDue"/> after the bindings have changed.
/// </para>
/// </remarks>
public sealed class SipRegistrar
{
    private const string MinExpiresHeader = "Min-Expires";

    private readonly TimeProvider _time;
    private readonly DigestAuthenticator _authenticator;
    private readonly IRegistrarAccounts _accounts;
    private readonly RegistrationStore _store;
    private readonly uint _defaultSeconds;
    private readonly uint _minSeconds;
    private readonly uint _maxSeconds;
    private readonly int _maxBindings;
    private readonly Lock _notifyLock = new();

    /// <summary>A registrar for a fixed set of accounts; their passwords are hashed here into HA1 and not kept.</summary>
    public SipRegistrar(RegistrarOptions options, IEnumerable<SipAccount> accounts, TimeProvider time, byte[]? nonceSecret = null)
        : this(options, new FixedRegistrarAccounts(Hash(options, accounts)), time, nonceSecret)
    {
    }

    /// <summary>A registrar whose accounts (HA1 only) come from <paramref name="accounts"/>, which may change at run time.</summary>
    public SipRegistrar(RegistrarOptions options, IRegistrarAccounts accounts, TimeProvider time, byte[]? nonceSecret = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(accounts);
        ArgumentNullException.ThrowIfNull(time);
        _minSeconds = ToSeconds(options.MinExpires, nameof(RegistrarOptions.MinExpires));
        _defaultSeconds = ToSeconds(options.DefaultExpires, nameof(RegistrarOptions.DefaultExpires));
        _maxSeconds = ToSeconds(options.MaxExpires, nameof(RegistrarOptions.MaxExpires));
        if (_minSeconds == 0 || _minSeconds > _defaultSeconds || _defaultSeconds > _maxSeconds)
        {
            throw new ArgumentException("The intervals must satisfy 0 < MinExpires <= DefaultExpires <= MaxExpires.", nameof(options));
        }

        if (options.MaxBindingsPerUser < 1)
        {
            throw new ArgumentException("MaxBindingsPerUser must be at least 1.", nameof(options));
        }

        _maxBindings = options.MaxBindingsPerUser;
        _time = time;
        _accounts = accounts;
        _accounts.Withdrawn += OnWithdrawn;
        _store = new RegistrationStore(_maxBindings);
        _authenticator = new DigestAuthenticator(
            new DigestAuthenticatorOptions { Realm = options.Realm, NonceSecret = nonceSecret, Algorithms = options.Algorithms },
            new AccountCredentials(accounts, options.Realm),
            time);
    }

    /// <summary>Where the accounts come from (tests force a refresh of the cache through it).</summary>
    internal IRegistrarAccounts Accounts => _accounts;

    /// <summary>
    /// Raised after the bindings of an account changed (register, refresh, unregister, expiry) with the
    /// agent id and the agent's current best binding (<see cref="FindByAgent"/>), or null when it has none.
    /// </summary>
    public event Action<string, RegistrationBinding?>? BindingsChanged;

    /// <summary>
    /// Handles a REGISTER and returns the response to send: 200 listing all current contacts with their
    /// remaining expires, 401 challenge, 400, 403, 420, 423 with Min-Expires, or 500 for an out-of-order
    /// REGISTER (older or equal CSeq on the same Call-ID).
    /// </summary>
    /// <param name="register">A REGISTER request (anything else is an <see cref="ArgumentException"/>).</param>
    /// <param name="source">Where the request came from; stored in the bindings it creates.</param>
    /// <param name="transport">The transport name; stored in the bindings it creates.</param>
    public async ValueTask<SipResponse> HandleAsync(SipRequest register, IPEndPoint source, string transport, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(register);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(transport);
        if (register.Method != SipMethods.Register)
        {
            throw new ArgumentException($"The registrar handles REGISTER, not {register.Method}.", nameof(register));
        }

        // Structure first: none of this depends on who the user is.
        if (!RegisterRequest.TryRead(register, _defaultSeconds, _minSeconds, _maxSeconds, out RegisterRequest? parsed, out string? problem))
        {
            return Respond(register, 400, problem);
        }

        IReadOnlyList<string> required = register.GetOptionTags(SipHeaderNames.Require);
        if (required.Count > 0)
        {
            SipResponse badExtension = Respond(register, 420, "Bad Extension");
            badExtension.Headers.Add(SipHeaderNames.Unsupported, string.Join(", ", required));
            return badExtension;
        }

        DigestVerificationResult verification = await _authenticator.VerifyAsync(register, ct).ConfigureAwait(false);
        if (!verification.IsAuthenticated)
        {
            return verification.Response!;
        }

        string username = verification.Username!;
        RegistrarAccount? account = await _accounts.FindAsync(username, ct).ConfigureAwait(false);
        if (parsed.ToUser is null
            || !string.Equals(parsed.ToUser, username, StringComparison.Ordinal)
            || account is null)
        {
            return Respond(register, 403, "Forbidden");
        }

        if (parsed.TooBrief)
        {
            SipResponse tooBrief = Respond(register, 423, "Interval Too Brief");
            tooBrief.Headers.Add(MinExpiresHeader, _minSeconds.ToString(CultureInfo.InvariantCulture));
            return tooBrief;
        }

        if (parsed.Contacts.Count(contact => contact.Seconds > 0) > _maxBindings)
        {
            return Respond(register, 403, "Too Many Contacts");
        }

        DateTimeOffset now = _time.GetUtcNow();
        bool changed = _store.Update(parsed, account, source, transport, now, out bool outOfOrder, out List<StoredBinding> current);
        if (changed)
        {
            Notify(account.AgentId);
        }

        if (outOfOrder)
        {
            return Respond(register, 500, "Server Internal Error");
        }

        SipResponse ok = Respond(register, 200, "OK");
        foreach (StoredBinding binding in current.OrderByDescending(binding => binding.Sequence))
        {
            ok.Headers.Add(SipHeaderNames.Contact, $"<{binding.Binding.ContactUri}>;{RegisterRequest.ExpiresParameter}={RemainingSeconds(binding.Binding, now)}");
        }

        ok.Headers.Add(SipHeaderNames.Date, now.ToString("r", CultureInfo.InvariantCulture));
        return ok;
    }

    /// <summary>The live bindings of an account, most recently registered first; empty for an unknown user.</summary>
    public IReadOnlyList<RegistrationBinding> Lookup(string username)
    {
        ArgumentNullException.ThrowIfNull(username);
        return _store.Lookup(username, _time.GetUtcNow());
    }

    /// <summary>
    /// The most recently registered or refreshed live binding of the agent's account (of all its
    /// accounts, if several name the same agent), or null.
    /// </summary>
    public RegistrationBinding? FindByAgent(string agentId)
    {
        ArgumentNullException.ThrowIfNull(agentId);
        return _store.FindByAgent(agentId, _time.GetUtcNow());
    }

    /// <summary>The live binding registered with this contact URI, or null (how a WebSocket contact finds its connection).</summary>
    public RegistrationBinding? FindByContact(AddressUri contact)
    {
        ArgumentNullException.ThrowIfNull(contact);
        return _store.FindByContact(contact, _time.GetUtcNow());
    }

    /// <summary>
    /// A connection-oriented phone's connection closed (a WebSocket, RFC 7118 section 5): its bindings go at once, as if
    /// they had expired, and <see cref="BindingsChanged"/> is raised for each agent that had one.
    /// </summary>
    public void ConnectionClosed(IPEndPoint source, string transport)
    {
        foreach (string agentId in _store.RemoveBySource(source, transport))
        {
            Notify(agentId);
        }
    }

    /// <summary>
    /// Removes expired bindings (call it from a timer) and raises <see cref="BindingsChanged"/> once for
    /// each agent whose bindings changed.
    /// </summary>
    public void ExpireDue()
    {
        _accounts.RefreshIfStale();
        foreach (string agentId in _store.ExpireDue(_time.GetUtcNow()))
        {
            Notify(agentId);
        }
    }

    private static List<RegistrarAccount> Hash(RegistrarOptions options, IEnumerable<SipAccount> accounts)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(accounts);
        var hashed = new List<RegistrarAccount>();
        var usernames = new HashSet<string>(StringComparer.Ordinal);
        foreach (SipAccount account in accounts)
        {
            if (account is null || string.IsNullOrEmpty(account.Username) || account.Password is null || string.IsNullOrEmpty(account.AgentId))
            {
                throw new ArgumentException("Every account needs a username, a password and an agent id.", nameof(accounts));
            }

            if (!usernames.Add(account.Username))
            {
                throw new ArgumentException($"The SIP username '{account.Username}' is configured twice.", nameof(accounts));
            }

            hashed.Add(new RegistrarAccount(account.Username, account.AgentId, DigestUserSecrets.FromPassword(account.Username, options.Realm, account.Password)));
        }

        return hashed;
    }

    private void OnWithdrawn(IReadOnlyList<string> usernames)
    {
        foreach (string username in usernames)
        {
            foreach (string agentId in _store.RemoveAccount(username))
            {
                Notify(agentId);
            }
        }
    }

    private static uint ToSeconds(TimeSpan interval, string name)
    {
        double seconds = Math.Ceiling(interval.TotalSeconds);
        if (seconds < 0 || seconds > uint.MaxValue)
        {
            throw new ArgumentOutOfRangeException(name, interval, "The interval must be between 0 and 2^32-1 seconds.");
        }

        return (uint)seconds;
    }

    private static SipResponse Respond(SipRequest request, int statusCode, string reasonPhrase) =>
        SipMessageFactory.CreateResponse(request, statusCode, reasonPhrase, SipMessageFactory.NewTag());

    private static long RemainingSeconds(RegistrationBinding binding, DateTimeOffset now) =>
        Math.Max(0, (long)Math.Ceiling((binding.ExpiresAt - now).TotalSeconds));

    private void Notify(string agentId)
    {
        // Serialized, and the binding is read when the event is raised: whatever the interleaving of
        // concurrent updates, the last event raised for an agent carries its current best binding.
        lock (_notifyLock)
        {
            Action<string, RegistrationBinding?>? handler = BindingsChanged;
            if (handler is not null)
            {
                handler(agentId, FindByAgent(agentId));
            }
        }
    }
}

/// <summary>The authenticator's view of the accounts: HA1 for this realm only.</summary>
file sealed class AccountCredentials(IRegistrarAccounts accounts, string realm) : ICredentialStore
{
    public async ValueTask<DigestUserSecrets?> FindAsync(string username, string credentialsRealm, CancellationToken cancellationToken = default)
    {
        if (!string.Equals(credentialsRealm, realm, StringComparison.Ordinal))
        {
            return null;
        }

        RegistrarAccount? account = await accounts.FindAsync(username, cancellationToken).ConfigureAwait(false);
        return account?.Secrets;
    }
}
