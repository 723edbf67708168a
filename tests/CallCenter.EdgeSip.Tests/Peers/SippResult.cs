using System.Globalization;
using System.Text;

namespace CallCenter.EdgeSip.Tests.Peers;

/// <summary>
/// How a SIPp run ended: its exit code (0 all calls succeeded, 1 at least one failed, 97 stopped by an internal command,
/// 99 no call processed, 255 fatal error, 254 could not bind), the final statistics and the logs to explain a failure.
/// </summary>
public sealed record SippResult
{
    public required string Scenario { get; init; }

    public required int ExitCode { get; init; }

    /// <summary>The harness killed SIPp because it outlived its timeout (the statistics may then be missing).</summary>
    public required bool TimedOut { get; init; }

    public required TimeSpan Elapsed { get; init; }

    public required long SuccessfulCalls { get; init; }

    public required long FailedCalls { get; init; }

    /// <summary>The non-zero cumulative failure counters of the statistics file (FailedUnexpectedMessage, FailedTimeoutOnRecv, ...).</summary>
    public required IReadOnlyDictionary<string, long> FailureCounters { get; init; }

    /// <summary>SIPp's error log (<c>-trace_err</c>), the first 16 KB.</summary>
    public required string ErrorLog { get; init; }

    /// <summary>The last statistics screen (<c>-trace_screen</c>).</summary>
    public required string Screen { get; init; }

    /// <summary>The end of what SIPp wrote to stdout and stderr.</summary>
    public required string Output { get; init; }

    /// <summary>The run's folder (statistics, logs), deleted when the <see cref="SippProcess"/> is disposed.</summary>
    public required string Directory { get; init; }

    /// <summary>
    /// The SIP messages SIPp received, retransmissions included, in order: from <c>messages.log</c> of a run with
    /// <see cref="SippOptions.TraceMessages"/> (empty without it). Read it before the <see cref="SippProcess"/> is disposed.
    /// </summary>
    public IReadOnlyList<string> ReceivedMessages()
    {
        var path = Path.Combine(Directory, "messages.log");
        if (!File.Exists(path))
        {
            return [];
        }

        // Each entry: a dashed line with the time, "UDP message received [n] bytes :" (or "sent (n bytes):"), a blank line, the message.
        var messages = new List<string>();
        foreach (var entry in File.ReadAllText(path).Split("-----------------------------------------------", StringSplitOptions.RemoveEmptyEntries))
        {
            var lines = entry.Split('\n');
            if (lines.Length > 2 && lines[1].Contains("message received", StringComparison.Ordinal))
            {
                messages.Add(string.Join('\n', lines.Skip(2)).Trim());
            }
        }

        return messages;
    }

    /// <summary>Exit code 0: every call succeeded.</summary>
    public bool Succeeded => ExitCode == 0 && !TimedOut;

    /// <summary>A message for assertions: the outcome, the counters and the logs.</summary>
    public string Describe()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"sipp {Scenario}: exit {ExitCode}{(TimedOut ? " (killed after its timeout)" : string.Empty)} after {Elapsed.TotalSeconds:F1} s, ");
        text.Append(CultureInfo.InvariantCulture, $"{SuccessfulCalls} successful, {FailedCalls} failed");
        foreach ((string name, long count) in FailureCounters)
        {
            text.Append(CultureInfo.InvariantCulture, $", {name} {count}");
        }

        text.AppendLine();
        if (ErrorLog.Length > 0)
        {
            text.AppendLine("errors:").AppendLine(ErrorLog);
        }

        if (SuccessfulCalls + FailedCalls == 0 || !Succeeded)
        {
            text.AppendLine("output (end):").AppendLine(Output);
        }

        return text.ToString();
    }
}
