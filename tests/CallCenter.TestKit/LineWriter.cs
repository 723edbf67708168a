using System.Text;

namespace CallCenter.TestKit;

/// <summary>A thread-safe text sink that lets a test await a line: the program's output as a signal.</summary>
public sealed class LineWriter : TextWriter
{
    private readonly Lock _lock = new();
    private readonly StringBuilder _all = new();
    private readonly StringBuilder _line = new();
    private readonly List<string> _lines = [];
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Seen)> _waiters = [];

    public override Encoding Encoding => Encoding.UTF8;

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_lock)
            {
                return [.. _lines];
            }
        }
    }

    public override string ToString()
    {
        lock (_lock)
        {
            return _all.ToString();
        }
    }

    public override void Write(char value)
    {
        lock (_lock)
        {
            _all.Append(value);
            if (value == '\n')
            {
                var line = _line.ToString().TrimEnd('\r');
                _line.Clear();
                _lines.Add(line);
                foreach (var waiter in _waiters.Where(w => w.Match(line)).ToList())
                {
                    _waiters.Remove(waiter);
                    waiter.Seen.TrySetResult(line);
                }
            }
            else
            {
                _line.Append(value);
            }
        }
    }

    public override void Write(string? value)
    {
        foreach (var c in value ?? "")
        {
            Write(c);
        }
    }

    public override void WriteLine(string? value)
    {
        Write(value);
        Write(Environment.NewLine);
    }

    /// <summary>The <paramref name="occurrence"/>th line (1 for the first), written already or later, that contains <paramref name="text"/>.</summary>
    public Task<string> WaitForLineAsync(string text, int occurrence = 1)
    {
        lock (_lock)
        {
            var seen = _lines.Where(l => l.Contains(text, StringComparison.Ordinal)).ToList();
            if (seen.Count >= occurrence)
            {
                return Task.FromResult(seen[occurrence - 1]);
            }
            var remaining = occurrence - seen.Count;
            var waiter = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((l => l.Contains(text, StringComparison.Ordinal) && --remaining == 0, waiter));
            return waiter.Task.WaitAsync(TestTimeouts.Signal);
        }
    }
}
