namespace CallCenter.RemoteAgent;

/// <summary>The process exit codes; each failure a script may want to tell apart has its own.</summary>
public static class ExitCodes
{
    public const int Success = 0;
    public const int Unexpected = 1;
    public const int Usage = 2;
    public const int WrongCredentials = 3;
    public const int ServerUnreachable = 4;
    public const int SessionExpired = 5;
    public const int StreamLost = 6;
    public const int LoginLocked = 7;
    public const int Refused = 8;
    public const int LoggedOutByServer = 9;

    public static int For(DeskFailure failure) => failure switch
    {
        DeskFailure.WrongCredentials => WrongCredentials,
        DeskFailure.ServerUnreachable => ServerUnreachable,
        DeskFailure.SessionExpired => SessionExpired,
        DeskFailure.StreamLost => StreamLost,
        DeskFailure.LoginLocked => LoginLocked,
        DeskFailure.Refused => Refused,
        DeskFailure.LoggedOutByServer => LoggedOutByServer,
        _ => Unexpected,
    };
}
