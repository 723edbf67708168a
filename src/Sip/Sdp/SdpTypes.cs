using System.Globalization;

namespace CallCenter.Sip.Sdp;

/// <summary>Media direction attributes (RFC 4566 section 6, RFC 3264 section 5.1).</summary>
public enum SdpDirection
{
    SendRecv,
    SendOnly,
    RecvOnly,
    Inactive,
}

public static class SdpDirections
{
    public static string ToAttributeName(this SdpDirection direction) => direction switch
    {
        SdpDirection.SendOnly => "sendonly",
        SdpDirection.RecvOnly => "recvonly",
        SdpDirection.Inactive => "inactive",
        _ => "sendrecv",
    };

    /// <summary>The direction the last direction attribute in <paramref name="attributes"/> gives, or null when there is none.</summary>
    public static SdpDirection? LastIn(IEnumerable<SdpAttribute> attributes)
    {
        SdpDirection? direction = null;
        foreach (SdpAttribute attribute in attributes)
        {
            direction = FromAttributeName(attribute.Name) ?? direction;
        }

        return direction;
    }

    public static SdpDirection? FromAttributeName(string name) => name switch
    {
        "sendrecv" => SdpDirection.SendRecv,
        "sendonly" => SdpDirection.SendOnly,
        "recvonly" => SdpDirection.RecvOnly,
        "inactive" => SdpDirection.Inactive,
        _ => null,
    };

    public static bool Sends(this SdpDirection direction) => direction is SdpDirection.SendRecv or SdpDirection.SendOnly;

    public static bool Receives(this SdpDirection direction) => direction is SdpDirection.SendRecv or SdpDirection.RecvOnly;

    public static SdpDirection From(bool sends, bool receives) => (sends, receives) switch
    {
        (true, true) => SdpDirection.SendRecv,
        (true, false) => SdpDirection.SendOnly,
        (false, true) => SdpDirection.RecvOnly,
        _ => SdpDirection.Inactive,
    };

    /// <summary>The direction seen from the other side: sendonly ↔ recvonly.</summary>
    public static SdpDirection Reverse(this SdpDirection direction) => From(direction.Receives(), direction.Sends());
}

/// <summary>o=&lt;username&gt; &lt;sess-id&gt; &lt;sess-version&gt; &lt;nettype&gt; &lt;addrtype&gt; &lt;unicast-address&gt;</summary>
public sealed record SdpOrigin(string UserName, ulong SessionId, ulong SessionVersion, string NetworkType, string AddressType, string Address)
{
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{UserName} {SessionId} {SessionVersion} {NetworkType} {AddressType} {Address}");
}

/// <summary>c=&lt;nettype&gt; &lt;addrtype&gt; &lt;connection-address&gt; (the address may carry /ttl/count for multicast).</summary>
public sealed record SdpConnection(string NetworkType, string AddressType, string Address)
{
    /// <summary>The address without any /ttl or /count suffix.</summary>
    public string Host => Address.Split('/')[0];

    /// <summary>The RFC 2543 hold address 0.0.0.0 (RFC 3264 section 8.4: still recognised, never sent).</summary>
    public bool IsHoldAddress => Host == "0.0.0.0";

    public static SdpConnection ForAddress(string address) =>
        new("IN", address.Contains(':', StringComparison.Ordinal) ? "IP6" : "IP4", address);

    public override string ToString() => $"{NetworkType} {AddressType} {Address}";
}

/// <summary>t=&lt;start-time&gt; &lt;stop-time&gt; (NTP seconds; 0 0 means unbounded).</summary>
public sealed record SdpTiming(ulong Start, ulong Stop)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Start} {Stop}");
}

/// <summary>a=&lt;name&gt; or a=&lt;name&gt;:&lt;value&gt;.</summary>
public sealed record SdpAttribute(string Name, string? Value = null)
{
    public override string ToString() => Value is null ? Name : $"{Name}:{Value}";
}

/// <summary>A line this model keeps as text (i, u, e, p, b, r, z, k).</summary>
public sealed record SdpLine(char Type, string Value)
{
    public override string ToString() => $"{Type}={Value}";
}

/// <summary>a=rtpmap:&lt;payload type&gt; &lt;encoding name&gt;/&lt;clock rate&gt;[/&lt;encoding parameters&gt;]</summary>
public sealed record SdpRtpMap(int PayloadType, string EncodingName, int ClockRate, string? EncodingParameters = null)
{
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{PayloadType} {EncodingName}/{ClockRate}")
        + (EncodingParameters is null ? "" : "/" + EncodingParameters);

    /// <summary>Parses an rtpmap value; null when it is malformed.</summary>
    public static SdpRtpMap? TryParse(string value)
    {
        int space = value.IndexOf(' ', StringComparison.Ordinal);
        if (space <= 0 || !SdpSyntax.TryParseInt(value.AsSpan(0, space), 127, out int payloadType))
        {
            return null;
        }

        string[] parts = value[(space + 1)..].Trim().Split('/');
        if (parts.Length is < 2 or > 3 || parts[0].Length == 0 || !SdpSyntax.IsToken(parts[0])
            || !SdpSyntax.TryParseInt(parts[1], int.MaxValue, out int clockRate) || clockRate == 0)
        {
            return null;
        }

        if (parts.Length == 3 && parts[2].Length == 0)
        {
            return null;
        }

        return new SdpRtpMap(payloadType, parts[0], clockRate, parts.Length == 3 ? parts[2] : null);
    }
}

internal static class SdpSyntax
{
    public static bool TryParseInt(ReadOnlySpan<char> text, int max, out int value)
    {
        value = 0;
        if (text.Length is 0 or > 10)
        {
            return false;
        }

        long result = 0;
        foreach (char c in text)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }

            result = (result * 10) + (c - '0');
        }

        if (result > max)
        {
            return false;
        }

        value = (int)result;
        return true;
    }

    public static bool TryParseULong(ReadOnlySpan<char> text, out ulong value)
    {
        value = 0;
        if (text.Length == 0)
        {
            return false;
        }

        foreach (char c in text)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>RFC 4566 token: visible ASCII except the separators " ( ) , / : ; < = > ? @ [ \ ] { }.</summary>
    public static bool IsToken(ReadOnlySpan<char> text)
    {
        if (text.Length == 0)
        {
            return false;
        }

        foreach (char c in text)
        {
            bool ok = c is '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '{' or '|' or '}' or '~'
                || char.IsAsciiLetterOrDigit(c);
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }
}
