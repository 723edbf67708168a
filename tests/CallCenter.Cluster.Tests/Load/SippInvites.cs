using System.Globalization;

namespace CallCenter.Cluster.Tests.Load;

/// <summary>
/// What a SIPp caller run (with <c>-trace_msg</c>) sent and received, per SIP Call-ID: whether it sent an INVITE and the
/// final response (the first of 200 to 699) it got for it.
/// </summary>
public sealed class SippInvites
{
    private readonly Dictionary<string, int?> _finalByCallId = new(StringComparer.Ordinal);

    /// <summary>The Call-IDs of the INVITEs sent, each with its final status (null: none came).</summary>
    public IReadOnlyDictionary<string, int?> FinalByCallId => _finalByCallId;

    public IEnumerable<string> WithoutFinalResponse => _finalByCallId.Where(pair => pair.Value is null).Select(pair => pair.Key);

    public int Answered => _finalByCallId.Values.Count(status => status is >= 200 and < 300);

    /// <summary>Reads <c>messages.log</c> of a SIPp run's folder.</summary>
    public static SippInvites Read(string directory)
    {
        var invites = new SippInvites();
        var path = Path.Combine(directory, "messages.log");
        if (!File.Exists(path))
        {
            return invites;
        }

        // Each entry: a dashed line with the time, "UDP message sent (n bytes):" or "UDP message received [n] bytes :",
        // a blank line, the message.
        foreach (var entry in File.ReadAllText(path).Split("-----------------------------------------------", StringSplitOptions.RemoveEmptyEntries))
        {
            var lines = entry.Split('\n').Select(line => line.TrimEnd('\r')).ToList();
            if (lines.Count < 3)
            {
                continue;
            }

            var sent = lines[1].Contains("message sent", StringComparison.Ordinal);
            var received = lines[1].Contains("message received", StringComparison.Ordinal);
            var message = lines.Skip(2).SkipWhile(string.IsNullOrWhiteSpace).ToList();
            if ((!sent && !received) || message.Count == 0)
            {
                continue;
            }

            var callId = Header(message, "Call-ID");
            var cseq = Header(message, "CSeq");
            if (callId is null || cseq is null || !cseq.EndsWith("INVITE", StringComparison.Ordinal))
            {
                continue;
            }

            if (sent && message[0].StartsWith("INVITE ", StringComparison.Ordinal))
            {
                invites._finalByCallId.TryAdd(callId, null);
            }
            else if (received && message[0].StartsWith("SIP/2.0 ", StringComparison.Ordinal)
                && int.TryParse(message[0].AsSpan(8, 3), NumberStyles.Integer, CultureInfo.InvariantCulture, out var status) && status >= 200
                && invites._finalByCallId.TryGetValue(callId, out var final) && final is null)
            {
                invites._finalByCallId[callId] = status;
            }
        }

        return invites;
    }

    private static string? Header(List<string> message, string name) => message
        .TakeWhile(line => line.Length > 0)
        .Where(line => line.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase))
        .Select(line => line[(name.Length + 1)..].Trim())
        .FirstOrDefault();
}
