using System.Net;

namespace CallCenter.EdgeSip.Tests.Peers;

/// <summary>How to run one SIPp: a scenario of <c>tests/sipp</c> and the command-line options the harness supports.</summary>
public sealed record SippOptions
{
    /// <summary>The scenario, relative to <c>tests/sipp</c> (see <see cref="SippScenarios"/>).</summary>
    public required string Scenario { get; init; }

    /// <summary>Where a client scenario sends its requests; null for a server scenario.</summary>
    public IPEndPoint? Remote { get; init; }

    /// <summary>The SIP port SIPp binds (<c>-p</c>); 0 picks a free one.</summary>
    public int LocalPort { get; init; }

    /// <summary>The media base port (<c>-mp</c>: SIPp binds it and +2; <c>[auto_media_port]</c> adds 4 per call); 0 picks a free one.</summary>
    public int MediaPort { get; init; }

    public SipTransport Transport { get; init; } = SipTransport.Udp;

    /// <summary><c>-s</c>: the user part of the Request-URI (the dialled number, the agent).</summary>
    public string? Service { get; init; }

    /// <summary><c>-m</c>: stop after this many calls.</summary>
    public int? Calls { get; init; }

    /// <summary><c>-r</c>: calls per second.</summary>
    public double? Rate { get; init; }

    /// <summary><c>-l</c>: at most this many calls at once.</summary>
    public int? Limit { get; init; }

    /// <summary><c>-timeout</c> with <c>-timeout_error</c>: SIPp stops and fails by itself after this long; the harness kills it 10 s later.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary><c>-recv_timeout</c>: a call waiting longer than this for a message without a timeout of its own fails.</summary>
    public TimeSpan? ReceiveTimeout { get; init; }

    /// <summary><c>-set name value</c>: the scenario's global variables.</summary>
    public IReadOnlyDictionary<string, string> Variables { get; init; } = new Dictionary<string, string>();

    /// <summary><c>-au</c>: user for digest challenges the scenario answers with a bare <c>[authentication]</c>.</summary>
    public string? AuthUser { get; init; }

    /// <summary><c>-ap</c>: password for those challenges.</summary>
    public string? AuthPassword { get; init; }

    /// <summary><c>-inf</c>: an injection file (full path), e.g. from <see cref="SippProcess.WriteAgentsFile"/>.</summary>
    public string? InjectionFile { get; init; }

    /// <summary><c>-aa</c>: answer INFO, NOTIFY, OPTIONS and UPDATE with 200 by itself.</summary>
    public bool AutoAnswer { get; init; } = true;

    /// <summary><c>-pause_msg_ign</c>: ignore messages that arrive during a pause instead of failing the call.</summary>
    public bool IgnoreMessagesDuringPauses { get; init; }

    /// <summary><c>-trace_msg</c>: log every message to <c>messages.log</c> in the run's folder (costly under load).</summary>
    public bool TraceMessages { get; init; }

    /// <summary>Anything else, appended as is.</summary>
    public IReadOnlyList<string> ExtraArguments { get; init; } = [];
}
