using System.Collections.Concurrent;
using CallCenter.EdgeSip.Media;
using CallCenter.EdgeSip.Signalling;
using CallCenter.EdgeSip.Telemetry;
using Microsoft.Extensions.Logging;

namespace CallCenter.EdgeSip.Calls;

/// <summary>What every edge call shares: signalling, media, prompts, the grains and the table of live calls.</summary>
internal sealed class EdgeServices(
    SipSignalling signalling,
    IGrainFactory grains,
    SipEdgeOptions options,
    MediaClock mediaClock,
    RtpPortPool ports,
    PromptLibrary prompts,
    TimeProvider time,
    EdgeMetrics metrics,
    ILogger logger)
{
    public SipSignalling Signalling => signalling;

    public IGrainFactory Grains => grains;

    public SipEdgeOptions Options => options;

    public MediaClock MediaClock => mediaClock;

    public RtpPortPool Ports => ports;

    public PromptLibrary Prompts => prompts;

    public TimeProvider Time => time;

    public EdgeMetrics Metrics => metrics;

    public ILogger Logger => logger;

    /// <summary>How an idempotent grain call that failed transiently is repeated (one policy for every call).</summary>
    public GrainCallRetry Retry { get; } = new(time, logger);

    /// <summary>Every live leg's SIP Call-ID → the edge call it belongs to (caller and agent legs alike).</summary>
    public ConcurrentDictionary<string, EdgeCall> LegsBySipCallId { get; } = new(StringComparer.Ordinal);

    /// <summary>Queue and agent ids known from the configuration grain, for reading REFER targets.</summary>
    public Func<string, bool> IsQueue { get; set; } = _ => false;

    public Func<string, bool> IsAgent { get; set; } = _ => false;

    /// <summary>The contact-center configuration as the edge last read it (entry points, IVR flows, queues).</summary>
    public EdgeConfiguration? Configuration { get; init; }

    /// <summary>The queue of one of our entry points' dialled numbers (null: none), for REFER targets.</summary>
    public Func<string, string?> EntryPointQueue { get; set; } = _ => null;
}
