namespace CallCenter.Sip.Tests.Transport;

internal static class Await
{
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    /// <summary>Awaits the task, failing with a message that names what was expected when it takes too long.</summary>
    public static async Task<T> Within<T>(Task<T> task, string expectation)
    {
        try
        {
            return await task.WaitAsync(Limit);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Timed out after {Limit.TotalSeconds} s waiting for: {expectation}");
        }
    }

    public static async Task Within(Task task, string expectation)
    {
        try
        {
            await task.WaitAsync(Limit);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Timed out after {Limit.TotalSeconds} s waiting for: {expectation}");
        }
    }

    public static CancellationToken Token() => new CancellationTokenSource(Limit).Token;
}
