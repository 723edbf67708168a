using CallCenter.Gateway.V1;

namespace CallCenter.RemoteAgent;

/// <summary>Where the unattended desktop reports what happens.</summary>
public interface IDeskEventWriter
{
    void LoggedIn(LoginReply reply, bool renewed);
    void Event(AgentEvent agentEvent);
    void Command(CommandOutcome outcome);
    void Notice(DeskNotice notice);
    void Fatal(string code, string message, int exitCode);
}
