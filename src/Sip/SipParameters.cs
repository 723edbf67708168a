using System.Collections;
using System.Text;

namespace CallCenter.Sip;

/// <summary>An ordered list of parameters with case-insensitive name lookup.</summary>
public sealed class SipParameters : IReadOnlyList<SipParameter>
{
    private readonly List<SipParameter> _items = [];

    public int Count => _items.Count;

    public SipParameter this[int index] => _items[index];

    public bool Contains(string name) => IndexOf(name) >= 0;

    /// <summary>The value of the first parameter with this name; null when absent or a flag.</summary>
    public string? Get(string name)
    {
        int index = IndexOf(name);
        return index >= 0 ? _items[index].Value : null;
    }

    /// <summary>Replaces the first parameter with this name, or appends it.</summary>
    public void Set(string name, string? value)
    {
        int index = IndexOf(name);
        if (index >= 0)
        {
            _items[index] = new SipParameter(_items[index].Name, value);
        }
        else
        {
            _items.Add(new SipParameter(name, value));
        }
    }

    public void Add(string name, string? value) => _items.Add(new SipParameter(name, value));

    public bool Remove(string name)
    {
        int index = IndexOf(name);
        if (index < 0)
        {
            return false;
        }

        _items.RemoveAt(index);
        return true;
    }

    public IEnumerator<SipParameter> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Same names (case-insensitive) and values (exact) in the same order.</summary>
    public bool SequenceEquals(SipParameters other)
    {
        if (other.Count != Count)
        {
            return false;
        }

        for (int i = 0; i < Count; i++)
        {
            if (!string.Equals(_items[i].Name, other._items[i].Name, StringComparison.OrdinalIgnoreCase)
                || !string.Equals(_items[i].Value, other._items[i].Value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Writes ";name=value" for each header parameter, values as stored.</summary>
    public override string ToString()
    {
        var builder = new StringBuilder();
        AppendTo(builder);
        return builder.ToString();
    }

    internal void AppendTo(StringBuilder builder)
    {
        foreach (SipParameter parameter in _items)
        {
            builder.Append(';').Append(parameter.Name);
            if (parameter.Value is not null)
            {
                builder.Append('=').Append(parameter.Value);
            }
        }
    }

    private int IndexOf(string name)
    {
        for (int i = 0; i < _items.Count; i++)
        {
            if (string.Equals(_items[i].Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }
}
