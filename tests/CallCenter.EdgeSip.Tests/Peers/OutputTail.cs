using System.Text;

namespace CallCenter.EdgeSip.Tests.Peers;

/// <summary>The last characters a process wrote (thread safe): enough to explain a failure, bounded under load.</summary>
public sealed class OutputTail(int capacity = 16 * 1024)
{
    private readonly object _gate = new();
    private readonly StringBuilder _text = new();

    public void AppendLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _text.Append(line).Append('\n');
            if (_text.Length > 2 * capacity)
            {
                _text.Remove(0, _text.Length - capacity);
            }
        }
    }

    public override string ToString()
    {
        lock (_gate)
        {
            return _text.Length > capacity ? _text.ToString(_text.Length - capacity, capacity) : _text.ToString();
        }
    }
}
