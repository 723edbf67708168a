namespace CallCenter.Sip;

/// <summary>
/// One header field value. <see cref="Name"/> is the canonical long name ("Via" for "v" or "VIA");
/// <see cref="OriginalName"/> is the name as it was received. Folding has been replaced by a single
/// space and surrounding whitespace trimmed.
/// </summary>
public sealed record SipHeader
{
    public SipHeader(string name, string value)
        : this(name, value, name)
    {
    }

    internal SipHeader(string name, string value, string originalName)
    {
        if (!Parsing.SipGrammar.IsToken(name))
        {
            throw new ArgumentException($"'{name}' is not a valid header name.", nameof(name));
        }

        if (value.AsSpan().IndexOfAny('\r', '\n') >= 0)
        {
            throw new ArgumentException("A header value cannot contain CR or LF.", nameof(value));
        }

        Name = SipHeaderNames.Canonicalize(name);
        Value = value;
        OriginalName = originalName;
    }

    public string Name { get; }

    public string Value { get; }

    public string OriginalName { get; }

    public override string ToString() => Name + ": " + Value;
}
