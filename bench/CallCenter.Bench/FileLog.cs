using System.Globalization;
using Microsoft.Extensions.Logging;

namespace CallCenter.Bench;

/// <summary>
/// A logger provider that appends to one file: CallCenter categories from Information, everything else (Orleans,
/// Microsoft) from Warning. Counts warnings and errors so the bench can print them next to its figures.
/// </summary>
internal sealed class FileLog(string path) : ILoggerProvider
{
    private readonly Lock _lock = new();
    private readonly StreamWriter _writer = new(path, append: false) { AutoFlush = false };
    private readonly DateTime _start = DateTime.UtcNow;
    private int _warnings;
    private int _errors;
    private bool _disposed;

    public string Path { get; } = path;

    public int Warnings => Volatile.Read(ref _warnings);

    public int Errors => Volatile.Read(ref _errors);

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    /// <summary>Writes a line of the bench's own (phases, timings) into the same file.</summary>
    public void Note(string message) => Write("bench", LogLevel.Information, message, null);

    public void Flush()
    {
        lock (_lock)
        {
            if (!_disposed)
            {
                _writer.Flush();
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _writer.Dispose();
        }
    }

    private static bool Enabled(string category, LogLevel level) =>
        level != LogLevel.None && level >= (category.StartsWith("CallCenter", StringComparison.Ordinal) ? LogLevel.Information : LogLevel.Warning);

    private void Write(string category, LogLevel level, string message, Exception? exception)
    {
        if (level == LogLevel.Warning)
        {
            Interlocked.Increment(ref _warnings);
        }
        else if (level >= LogLevel.Error)
        {
            Interlocked.Increment(ref _errors);
        }

        var seconds = (DateTime.UtcNow - _start).TotalSeconds.ToString("F3", CultureInfo.InvariantCulture);
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _writer.Write($"{seconds} {level} {category}: {message}\n");
            if (exception is not null)
            {
                _writer.Write(exception.ToString());
                _writer.Write('\n');
            }
        }
    }

    private sealed class Logger(FileLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => Enabled(category, logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                log.Write(category, logLevel, formatter(state, exception), exception);
            }
        }
    }
}
