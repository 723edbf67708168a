using System.Net;

namespace CallCenter.EdgeSip;

/// <summary>The site edge's settings (configuration section <c>CallCenter:Sip</c>).</summary>
public sealed class SipEdgeOptions
{
    public const string Section = "CallCenter:Sip";

    /// <summary>Whether the silo co-hosts the edge (the embedded default does).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The site whose calls this edge carries.</summary>
    public string SiteId { get; set; } = "london";

    public string ListenAddress { get; set; } = "127.0.0.1";

    /// <summary>UDP and TCP port; 0 picks a free one (tests).</summary>
    public int Port { get; set; } = 5060;

    public bool Udp { get; set; } = true;

    public bool Tcp { get; set; } = true;

    /// <summary>SIP over WebSocket for browser softphones (off unless a port is set).</summary>
    public SipWebSocketOptions WebSocket { get; set; } = new();

    /// <summary>The address put in Contact, Via and SDP; the listen address when empty.</summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>The digest realm agent phones authenticate in.</summary>
    public string Realm { get; set; } = "callcenter";

    /// <summary>Secret for stateless nonces: shared by the edges of a site so a nonce from one is good at another. Random when empty.</summary>
    public string? NonceSecret { get; set; }

    /// <summary>
    /// Digest algorithms agent phones are challenged with, in order of preference. Many phones (SIPp 3.6, baresip 1.0)
    /// answer only the first challenge and only know MD5, so list "MD5" alone for them. Empty means SHA-256 then MD5.
    /// </summary>
    public List<string> DigestAlgorithms { get; set; } = [];

    /// <summary>The digest algorithms in effect (a configuration list binds by appending, so the default lives here).</summary>
    public IReadOnlyList<string> EffectiveDigestAlgorithms() => DigestAlgorithms.Count > 0 ? DigestAlgorithms : ["SHA-256", "MD5"];

    public int RtpPortFirst { get; set; } = 20000;

    public int RtpPortLast { get; set; } = 29999;

    /// <summary>Folder of the WAV prompts; the prompts shipped with the edge when empty.</summary>
    public string? PromptDirectory { get; set; }

    /// <summary>Where recordings of bridged calls are written (one WAV per call); no recording when empty.</summary>
    public string? RecordingDirectory { get; set; }

    /// <summary>Agent phones that may register: user name, password and the agent they ring for.</summary>
    public List<SipAccountOptions> Accounts { get; set; } = [];

    /// <summary>Addresses or CIDR ranges trunks may send INVITEs from; callers from elsewhere must be registered users. Empty = any.</summary>
    public List<string> Trunks { get; set; } = [];

    /// <summary>
    /// How often the edge checks the contact-center configuration's version (entry points, IVR flows) and reloads it
    /// when it changed. A number the edge does not know is checked at once, whatever this says.
    /// </summary>
    public double ConfigurationRefreshSeconds { get; set; } = 2;

    /// <summary>
    /// How often the edge renews each call's lease on its call grain. Keep it well under the silos'
    /// <c>CallCenter:Calls:EdgeLeaseSeconds</c> (60 by default), or calls of a live edge end as "edge lost".
    /// </summary>
    public double LeaseRenewalSeconds { get; set; } = 10;

    /// <summary>How often a waiting caller hears its position and expected wait.</summary>
    public double AnnounceEverySeconds { get; set; } = 30;

    /// <summary>The key a waiting caller presses to be called back without losing the place.</summary>
    public char CallbackKey { get; set; } = '9';

    /// <summary>Whether the caller is asked to rate the call after the agent hangs up.</summary>
    public bool Survey { get; set; } = true;

    /// <summary>How long the caller hears ringing before the edge answers (0 answers at once).</summary>
    public double RingSeconds { get; set; }

    /// <summary>How long a digit is waited for in menus and the survey.</summary>
    public double DigitTimeoutSeconds { get; set; } = 8;

    public double InvitesPerSecond { get; set; } = 50;

    public double InviteBurst { get; set; } = 100;

    public double RegistersPerSecond { get; set; } = 5;

    public double RegisterBurst { get; set; } = 20;

    public IPAddress ListenIp() =>
        IPAddress.TryParse(ListenAddress, out var address)
            ? address
            : throw new ArgumentException($"{Section}:ListenAddress '{ListenAddress}' is not an IP address");

    public string Advertised() => string.IsNullOrWhiteSpace(AdvertisedAddress) ? ListenAddress : AdvertisedAddress;
}

/// <summary>
/// A phone account in configuration: a password (hashed into HA1 at start-up; the demo's accounts) or the HA1 values
/// themselves. Accounts created through the admin API live in the phone-account directory instead.
/// </summary>
public sealed class SipAccountOptions
{
    public string Username { get; set; } = "";

    public string Password { get; set; } = "";

    /// <summary>Lower-case hex MD5(username:realm:password), instead of <see cref="Password"/> (with <see cref="Ha1Sha256"/>).</summary>
    public string Ha1Md5 { get; set; } = "";

    /// <summary>Lower-case hex SHA-256(username:realm:password), instead of <see cref="Password"/> (with <see cref="Ha1Md5"/>).</summary>
    public string Ha1Sha256 { get; set; } = "";

    public string AgentId { get; set; } = "";

    /// <summary>Whether the account carries both HA1 values instead of a password.</summary>
    public bool HasHa1() => Model.PhoneDigest.IsHa1(Ha1Md5, Model.PhoneDigest.Ha1Md5Length) && Model.PhoneDigest.IsHa1(Ha1Sha256, Model.PhoneDigest.Ha1Sha256Length);

    /// <summary>The stored form: HA1 only (from the password when no HA1 is configured).</summary>
    public Model.PhoneAccount ToPhoneAccount(string realm) => HasHa1()
        ? new Model.PhoneAccount { Username = Username, AgentId = AgentId, Realm = realm, Ha1Md5 = Ha1Md5.ToLowerInvariant(), Ha1Sha256 = Ha1Sha256.ToLowerInvariant() }
        : Model.PhoneDigest.Create(Username, AgentId, Model.TenantDefinition.DefaultTenantId, realm, Password);
}
