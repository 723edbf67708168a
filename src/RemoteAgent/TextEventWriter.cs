using CallCenter.Gateway.V1;

namespace CallCenter.RemoteAgent;

/// <summary>Plain lines for the unattended desktop without --json: events on the output, notices on the error stream.</summary>
public sealed class TextEventWriter(TextWriter output, TextWriter error, TimeProvider time) : IDeskEventWriter
{
    private readonly Lock _lock = new();

    public void LoggedIn(LoginReply reply, bool renewed) =>
        Write(output, $"{(renewed ? "logged in again" : "logged in")} as {reply.AgentId} ({reply.Role}), session {reply.SessionId}");

    public void Event(AgentEvent agentEvent)
    {
        if (agentEvent.EventCase != AgentEvent.EventOneofCase.Heartbeat)
        {
            Write(output, EventText.Describe(agentEvent));
        }
    }

    public void Command(CommandOutcome outcome) => Write(output, EventText.Describe(outcome));

    public void Notice(DeskNotice notice) => Write(error, notice.Message);

    public void Fatal(string code, string message, int exitCode)
    {
        // The caller prints fatal errors on the error stream for every mode.
    }

    private void Write(TextWriter writer, string line)
    {
        lock (_lock)
        {
            writer.WriteLine($"{time.GetLocalNow():HH:mm:ss} {line}");
            writer.Flush();
        }
    }
}
