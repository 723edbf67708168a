using System.Net;

namespace CallCenter.EdgeSip.Tests.Peers;

/// <summary>How to run one baresip 1.0.0 user agent (an agent's softphone).</summary>
public sealed record BaresipOptions
{
    /// <summary>The account's user: its address of record is <c>sip:&lt;user&gt;@127.0.0.1</c>.</summary>
    public string User { get; init; } = "agent1";

    /// <summary>The digest password (<c>auth_pass</c>).</summary>
    public string? Password { get; init; }

    /// <summary>
    /// The edge to register with (sent through it as outbound proxy, <c>regint=300</c>); null: no registration
    /// (<c>regint=0</c>), the phone is called directly on <see cref="BaresipProcess.SipEndPoint"/>.
    /// </summary>
    public IPEndPoint? Registrar { get; init; }

    /// <summary>The transport of the outbound proxy and of the calls baresip places (it listens on both).</summary>
    public SipTransport Transport { get; init; } = SipTransport.Udp;

    /// <summary>Answer incoming calls at once (<c>answermode=auto</c>).</summary>
    public bool AutoAnswer { get; init; } = true;

    /// <summary>What baresip sends: a mono 8 kHz 16-bit WAV; null: a 30 s tone of <see cref="ToneFrequency"/>.</summary>
    public string? SourceWav { get; init; }

    /// <summary>The tone baresip sends when no <see cref="SourceWav"/> is given.</summary>
    public double ToneFrequency { get; init; } = 440;

    /// <summary>A URI baresip calls as soon as it is ready (<c>-e "/dial uri"</c>).</summary>
    public string? Dial { get; init; }

    /// <summary>Codecs offered and accepted, in order.</summary>
    public string AudioCodecs { get; init; } = "PCMU/8000/1,PCMA/8000/1";

    /// <summary>Loads <c>ctrl_tcp</c> so a test can send menu commands (hold, resume, transfer) with <see cref="BaresipProcess.CommandAsync"/>.</summary>
    public bool Control { get; init; }
}
