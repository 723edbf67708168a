using System.Globalization;
using CallCenter.Sip.Parsing;

namespace CallCenter.Sip.Headers;

/// <summary>One Contact value: either the wildcard "*" (REGISTER removal) or an address.</summary>
public sealed class ContactHeader
{
    private ContactHeader(NameAddress? address)
    {
        Address = address;
    }

    public static ContactHeader Wildcard { get; } = new(null);

    public bool IsWildcard => Address is null;

    public NameAddress? Address { get; }

    /// <summary>The expires contact parameter, saturated at 2^32-1; null when absent or malformed.</summary>
    public uint? Expires => DeltaSeconds.TryParse(Address?.Parameters.Get("expires"));

    /// <summary>The q contact parameter; null when absent or malformed.</summary>
    public double? Q =>
        double.TryParse(Address?.Parameters.Get("q"), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double q)
            ? q
            : null;

    public static ContactHeader FromAddress(NameAddress address) => new(address);

    public static ContactHeader Parse(string value)
    {
        if (value.AsSpan().Trim(" \t").SequenceEqual("*"))
        {
            return Wildcard;
        }

        return new ContactHeader(NameAddress.Parse(value, "Contact"));
    }

    public override string ToString() => Address?.ToString() ?? "*";
}

/// <summary>delta-seconds = 1*DIGIT, saturating at 2^32-1 as RFC 3261 section 20.19/20.10 suggest.</summary>
internal static class DeltaSeconds
{
    public static uint? TryParse(string? value)
    {
        if (value is null)
        {
            return null;
        }

        if (!SipGrammar.TryParseDigits(value.AsSpan().Trim(" \t"), out ulong number, out bool overflowed))
        {
            return null;
        }

        return overflowed || number > uint.MaxValue ? uint.MaxValue : (uint)number;
    }
}
