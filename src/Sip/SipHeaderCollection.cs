using System.Collections;

namespace CallCenter.Sip;

/// <summary>Headers in message order; lookups by name are case-insensitive and accept compact forms.</summary>
public sealed class SipHeaderCollection : IReadOnlyList<SipHeader>
{
    private readonly List<SipHeader> _headers = [];

    public int Count => _headers.Count;

    public SipHeader this[int index] => _headers[index];

    public void Add(string name, string value) => _headers.Add(new SipHeader(name, value));

    public void Add(SipHeader header) => _headers.Add(header);

    /// <summary>Inserts a header before all others of any name (for example a new top Via).</summary>
    public void Insert(int index, SipHeader header) => _headers.Insert(index, header);

    /// <summary>Adds the value before the first header with the same name, or at the end.</summary>
    public void AddFirst(string name, string value)
    {
        var header = new SipHeader(name, value);
        int index = _headers.FindIndex(existing => existing.Name.Equals(header.Name, StringComparison.OrdinalIgnoreCase));
        _headers.Insert(index >= 0 ? index : _headers.Count, header);
    }

    /// <summary>Replaces every header with this name by one header with this value.</summary>
    public void Set(string name, string value)
    {
        var header = new SipHeader(name, value);
        int index = _headers.FindIndex(existing => existing.Name.Equals(header.Name, StringComparison.OrdinalIgnoreCase));
        RemoveAll(name);
        _headers.Insert(index >= 0 ? index : _headers.Count, header);
    }

    public int RemoveAll(string name)
    {
        string canonical = SipHeaderNames.Canonicalize(name);
        return _headers.RemoveAll(header => header.Name.Equals(canonical, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Removes the first header with this name (for example the top Via).</summary>
    public bool RemoveFirst(string name)
    {
        string canonical = SipHeaderNames.Canonicalize(name);
        int index = _headers.FindIndex(header => header.Name.Equals(canonical, StringComparison.OrdinalIgnoreCase));
        if (index < 0)
        {
            return false;
        }

        _headers.RemoveAt(index);
        return true;
    }

    public bool Contains(string name) => GetFirst(name) is not null;

    public string? GetFirst(string name)
    {
        string canonical = SipHeaderNames.Canonicalize(name);
        foreach (SipHeader header in _headers)
        {
            if (header.Name.Equals(canonical, StringComparison.OrdinalIgnoreCase))
            {
                return header.Value;
            }
        }

        return null;
    }

    /// <summary>All values of this header in order (comma lists are already split by the parser).</summary>
    public IReadOnlyList<string> GetAll(string name)
    {
        string canonical = SipHeaderNames.Canonicalize(name);
        var values = new List<string>();
        foreach (SipHeader header in _headers)
        {
            if (header.Name.Equals(canonical, StringComparison.OrdinalIgnoreCase))
            {
                values.Add(header.Value);
            }
        }

        return values;
    }

    public int CountOf(string name) => GetAll(name).Count;

    public IEnumerator<SipHeader> GetEnumerator() => _headers.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
