using Microsoft.Extensions.Logging;

namespace CallCenter.EdgeSip.Tests.Infrastructure;

/// <summary>Writes the edge's log to a file beside the test run, to read when an end-to-end test fails.</summary>
internal sealed class FileLogger<T>(string path) : ILogger<T>
{
    private readonly Lock _lock = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_lock)
        {
            File.AppendAllText(path, $"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {formatter(state, exception)} {exception}{Environment.NewLine}");
        }
    }
}
