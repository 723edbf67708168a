using System.Text.Json;
using System.Text.Json.Nodes;
using CallCenter.Gateway.V1;
using Google.Protobuf;

namespace CallCenter.RemoteAgent;

/// <summary>
/// One JSON object per line, each with a "type": session, offer, offer_withdrawn, call, state, supervisor_message,
/// heartbeat (only when asked for), command (login and every command with its result), and error. Event fields keep
/// the proto's names and JSON mapping (enums by name, timestamps RFC 3339, int64 as strings).
/// </summary>
public sealed class JsonEventWriter(TextWriter output, bool includeHeartbeats = false) : IDeskEventWriter
{
    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default
        .WithFormatDefaultValues(true)
        .WithPreserveProtoFieldNames(true));

    // Lines are read by programs and people, not embedded in HTML: "+44" and "Müller" stay as they are.
    private static readonly JsonSerializerOptions Compact = new()
    {
        WriteIndented = false,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly Lock _lock = new();

    public void LoggedIn(LoginReply reply, bool renewed)
    {
        var withoutToken = reply.Clone();
        withoutToken.Token = "";
        var line = new JsonObject { ["type"] = "command", ["command"] = "login", ["ok"] = true, ["renewed"] = renewed };
        foreach (var (name, value) in ToObject(withoutToken).ToList())
        {
            // The token is a credential: it never goes to the output.
            if (name != "token")
            {
                line[name] = value?.DeepClone();
            }
        }
        Write(line);
    }

    public void Event(AgentEvent agentEvent)
    {
        if (agentEvent.EventCase == AgentEvent.EventOneofCase.Heartbeat && !includeHeartbeats)
        {
            return;
        }
        var (type, payload) = agentEvent.EventCase switch
        {
            AgentEvent.EventOneofCase.Heartbeat => ("heartbeat", (IMessage)agentEvent.Heartbeat),
            AgentEvent.EventOneofCase.Offer => ("offer", agentEvent.Offer),
            AgentEvent.EventOneofCase.OfferWithdrawn => ("offer_withdrawn", agentEvent.OfferWithdrawn),
            AgentEvent.EventOneofCase.Call => ("call", agentEvent.Call),
            AgentEvent.EventOneofCase.State => ("state", agentEvent.State),
            AgentEvent.EventOneofCase.SupervisorMessage => ("supervisor_message", agentEvent.SupervisorMessage),
            AgentEvent.EventOneofCase.Session => ("session", agentEvent.Session),
            _ => ("unknown", (IMessage?)null),
        };
        var line = new JsonObject { ["type"] = type };
        if (agentEvent.At is not null)
        {
            line["at"] = JsonNode.Parse(Formatter.Format(agentEvent.At));
        }
        if (payload is not null)
        {
            foreach (var (name, value) in ToObject(payload).ToList())
            {
                line[name] = value?.DeepClone();
            }
        }
        Write(line);
    }

    public void Command(CommandOutcome outcome)
    {
        var line = new JsonObject { ["type"] = "command", ["command"] = outcome.Command };
        foreach (var (name, value) in outcome.Arguments)
        {
            line[name] = value;
        }
        line["ok"] = outcome.Ok;
        line["already_done"] = outcome.AlreadyDone;
        if (outcome.Status is { } status)
        {
            line["status"] = DeskSession.StatusName(status);
        }
        line["message"] = outcome.Message;
        Write(line);
    }

    public void Notice(DeskNotice notice)
    {
        var code = notice.Kind switch
        {
            DeskNoticeKind.StreamDropped => "stream_dropped",
            DeskNoticeKind.TokenRenewed => "token_expired",
            // The "session" event that follows says whether the session resumed.
            _ => null,
        };
        if (code is null)
        {
            return;
        }
        var line = new JsonObject { ["type"] = "error", ["code"] = code, ["message"] = notice.Message, ["fatal"] = false };
        if (notice.RetryIn is { } retryIn)
        {
            line["attempt"] = notice.Attempt;
            line["retry_in_seconds"] = Math.Round(retryIn.TotalSeconds, 3);
        }
        Write(line);
    }

    public void Fatal(string code, string message, int exitCode) => Write(new JsonObject
    {
        ["type"] = "error",
        ["code"] = code,
        ["message"] = message,
        ["fatal"] = true,
        ["exit_code"] = exitCode,
    });

    private static JsonObject ToObject(IMessage message) => JsonNode.Parse(Formatter.Format(message))!.AsObject();

    private void Write(JsonObject line)
    {
        var text = line.ToJsonString(Compact);
        lock (_lock)
        {
            output.WriteLine(text);
            output.Flush();
        }
    }
}
