namespace CallCenter.RemoteAgent;

/// <summary>Why a desk session cannot go on.</summary>
public enum DeskFailure
{
    Unexpected,
    WrongCredentials,
    ServerUnreachable,
    SessionExpired,
    StreamLost,
    LoginLocked,
    Refused,
    LoggedOutByServer,
}

/// <summary>A failure that ends the session; <see cref="Exception.Message"/> is one line meant for the agent.</summary>
public sealed class DeskException(DeskFailure failure, string message, Exception? inner = null) : Exception(message, inner)
{
    public DeskFailure Failure { get; } = failure;

    /// <summary>The snake_case name used in JSON output.</summary>
    public string Code => Failure switch
    {
        DeskFailure.WrongCredentials => "wrong_credentials",
        DeskFailure.ServerUnreachable => "server_unreachable",
        DeskFailure.SessionExpired => "session_expired",
        DeskFailure.StreamLost => "stream_lost",
        DeskFailure.LoginLocked => "login_locked",
        DeskFailure.Refused => "refused",
        DeskFailure.LoggedOutByServer => "logged_out",
        _ => "unexpected",
    };
}
