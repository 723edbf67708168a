using Microsoft.Extensions.Logging;

namespace CallCenter.Grains.Messaging;

/// <summary>
/// The one way the grains send without waiting (one-way notices to other grains, spans to the history store): the task
/// runs on, and a failure is logged with what was being sent, never thrown and never left unobserved.
/// </summary>
internal static partial class FireAndForget
{
    public static void Forget(this Task task, ILogger logger, string what)
    {
        if (task.IsCompletedSuccessfully)
        {
            return;
        }

        _ = LogFailureAsync(task, logger, what);
    }

    private static async Task LogFailureAsync(Task task, ILogger logger, string what)
    {
        try
        {
            await task;
        }
        catch (Exception exception)
        {
            LogFailed(logger, exception, what);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sending {What} without waiting failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string what);
}
