using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using CallCenter.Sip.Parsing;

namespace CallCenter.Sip.Uris;

public enum SipHostKind
{
    DomainName,
    IPv4,
    IPv6,
}

/// <summary>
/// A sip: or sips: URI (RFC 3261 section 19.1). User, password, parameter and header values are
/// held decoded (each %HH escape decoded exactly once) and re-escaped by <see cref="ToString"/>.
/// </summary>
public sealed class SipUri : AddressUri
{
    private string _host;

    public SipUri(string host, bool isSecure = false)
    {
        _host = ValidateHost(host, out SipHostKind kind);
        HostKind = kind;
        IsSecure = isSecure;
    }

    public bool IsSecure { get; set; }

    public override string Scheme => IsSecure ? "sips" : "sip";

    /// <summary>The decoded user part, or null when the URI has none.</summary>
    public string? User { get; set; }

    /// <summary>The decoded password, or null when the URI has none.</summary>
    public string? Password { get; set; }

    /// <summary>The host as written; an IPv6 reference keeps its brackets.</summary>
    public string Host
    {
        get => _host;
        set
        {
            _host = ValidateHost(value, out SipHostKind kind);
            HostKind = kind;
        }
    }

    public SipHostKind HostKind { get; private set; }

    public int? Port { get; set; }

    /// <summary>uri-parameters (";transport=tcp", ";lr"), values decoded.</summary>
    public SipParameters Parameters { get; } = new();

    /// <summary>The headers after '?', names and values decoded.</summary>
    public SipParameters Headers { get; } = new();

    public static new SipUri Parse(string text) =>
        AddressUri.Parse(text) as SipUri ?? throw new SipParseException($"'{Shorten(text)}' is not a sip: or sips: URI", 416);

    public override bool Equals(AddressUri? other) =>
        other is SipUri uri
        && uri.IsSecure == IsSecure
        && string.Equals(uri.User, User, StringComparison.Ordinal)
        && string.Equals(uri.Password, Password, StringComparison.Ordinal)
        && string.Equals(uri.Host, Host, StringComparison.OrdinalIgnoreCase)
        && uri.Port == Port
        && uri.Parameters.SequenceEquals(Parameters)
        && uri.Headers.SequenceEquals(Headers);

    public override int GetHashCode() =>
        HashCode.Combine(IsSecure, User, StringComparer.OrdinalIgnoreCase.GetHashCode(Host), Port);

    public override string ToString()
    {
        var builder = new StringBuilder(64);
        builder.Append(Scheme).Append(':');
        if (User is not null)
        {
            builder.Append(UriEscaping.Encode(User, SipGrammar.IsUserChar));
            if (Password is not null)
            {
                builder.Append(':').Append(UriEscaping.Encode(Password, SipGrammar.IsPasswordChar));
            }

            builder.Append('@');
        }

        builder.Append(Host);
        if (Port is int port)
        {
            builder.Append(':').Append(port.ToString(CultureInfo.InvariantCulture));
        }

        foreach (SipParameter parameter in Parameters)
        {
            builder.Append(';').Append(UriEscaping.Encode(parameter.Name, SipGrammar.IsUriParamChar));
            if (parameter.Value is not null)
            {
                builder.Append('=').Append(UriEscaping.Encode(parameter.Value, SipGrammar.IsUriParamChar));
            }
        }

        char separator = '?';
        foreach (SipParameter header in Headers)
        {
            builder.Append(separator)
                .Append(UriEscaping.Encode(header.Name, SipGrammar.IsUriHeaderChar))
                .Append('=')
                .Append(UriEscaping.Encode(header.Value ?? string.Empty, SipGrammar.IsUriHeaderChar));
            separator = '&';
        }

        return builder.ToString();
    }

    internal static SipUri ParseAfterScheme(bool isSecure, string text, int start)
    {
        string context = $"SIP URI '{Shorten(text)}'";
        ReadOnlySpan<char> rest = text.AsSpan(start);

        // userinfo cannot contain an unescaped '@' and neither can anything after the host,
        // so the first '@' ends the userinfo. The user part itself may contain ';' and '?'.
        string? user = null;
        string? password = null;
        int at = rest.IndexOf('@');
        if (at >= 0)
        {
            ReadOnlySpan<char> userInfo = rest[..at];
            int colon = userInfo.IndexOf(':');
            ReadOnlySpan<char> userText = colon >= 0 ? userInfo[..colon] : userInfo;
            if (userText.IsEmpty)
            {
                throw new SipParseException($"{context} has an empty user part");
            }

            user = UriEscaping.Decode(userText, SipGrammar.IsUserChar, $"{context} user part");
            if (colon >= 0)
            {
                password = UriEscaping.Decode(userInfo[(colon + 1)..], SipGrammar.IsPasswordChar, $"{context} password");
            }

            rest = rest[(at + 1)..];
        }

        int hostEnd = rest.IndexOfAny(';', '?');
        ReadOnlySpan<char> hostPort = hostEnd >= 0 ? rest[..hostEnd] : rest;
        rest = hostEnd >= 0 ? rest[hostEnd..] : [];

        string host;
        int? port = null;
        int portColon;
        if (hostPort.StartsWith("["))
        {
            int close = hostPort.IndexOf(']');
            if (close < 0)
            {
                throw new SipParseException($"{context} has an IPv6 reference without ']'");
            }

            host = hostPort[..(close + 1)].ToString();
            portColon = close + 1 < hostPort.Length ? close + 1 : -1;
            if (portColon >= 0 && hostPort[portColon] != ':')
            {
                throw new SipParseException($"{context} has text after its IPv6 reference");
            }
        }
        else
        {
            portColon = hostPort.IndexOf(':');
            host = (portColon >= 0 ? hostPort[..portColon] : hostPort).ToString();
        }

        if (portColon >= 0)
        {
            ReadOnlySpan<char> portText = hostPort[(portColon + 1)..];
            if (!SipGrammar.TryParseDigits(portText, out ulong portValue, out _) || portValue > 65535)
            {
                throw new SipParseException($"{context} has an invalid port");
            }

            port = (int)portValue;
        }

        SipHostKind kind;
        try
        {
            host = ValidateHost(host, out kind);
        }
        catch (ArgumentException exception)
        {
            throw new SipParseException($"{context}: {exception.Message}");
        }

        var uri = new SipUri(host, kind, isSecure) { User = user, Password = password, Port = port };

        while (!rest.IsEmpty && rest[0] == ';')
        {
            rest = rest[1..];
            int end = rest.IndexOfAny(';', '?');
            ReadOnlySpan<char> parameter = end >= 0 ? rest[..end] : rest;
            rest = end >= 0 ? rest[end..] : [];
            int equals = parameter.IndexOf('=');
            ReadOnlySpan<char> name = equals >= 0 ? parameter[..equals] : parameter;
            if (name.IsEmpty)
            {
                throw new SipParseException($"{context} has an empty parameter name");
            }

            string decodedName = UriEscaping.Decode(name, SipGrammar.IsUriParamChar, $"{context} parameter name");
            string? decodedValue = null;
            if (equals >= 0)
            {
                ReadOnlySpan<char> value = parameter[(equals + 1)..];
                if (value.IsEmpty)
                {
                    throw new SipParseException($"{context} parameter '{decodedName}' has an empty value");
                }

                decodedValue = UriEscaping.Decode(value, SipGrammar.IsUriParamChar, $"{context} parameter value");
            }

            uri.Parameters.Add(decodedName, decodedValue);
        }

        if (!rest.IsEmpty)
        {
            // rest starts with '?': headers = "?" header *( "&" header ), header = hname "=" hvalue.
            rest = rest[1..];
            while (true)
            {
                int end = rest.IndexOf('&');
                ReadOnlySpan<char> header = end >= 0 ? rest[..end] : rest;
                int equals = header.IndexOf('=');
                if (equals <= 0)
                {
                    throw new SipParseException($"{context} has a URI header without 'name='");
                }

                uri.Headers.Add(
                    UriEscaping.Decode(header[..equals], SipGrammar.IsUriHeaderChar, $"{context} header name"),
                    UriEscaping.Decode(header[(equals + 1)..], SipGrammar.IsUriHeaderChar, $"{context} header value"));
                if (end < 0)
                {
                    break;
                }

                rest = rest[(end + 1)..];
            }
        }

        return uri;
    }

    private SipUri(string host, SipHostKind kind, bool isSecure)
    {
        _host = host;
        HostKind = kind;
        IsSecure = isSecure;
    }

    private static string ValidateHost(string host, out SipHostKind kind)
    {
        if (host.Length == 0)
        {
            throw new ArgumentException("host is empty", nameof(host));
        }

        if (host[0] == '[')
        {
            if (host.Length < 3 || host[^1] != ']'
                || !IPAddress.TryParse(host.AsSpan(1, host.Length - 2), out IPAddress? address)
                || address.AddressFamily != AddressFamily.InterNetworkV6
                || host.Contains('%', StringComparison.Ordinal))
            {
                throw new ArgumentException($"'{Shorten(host)}' is not a valid IPv6 reference", nameof(host));
            }

            kind = SipHostKind.IPv6;
            return host;
        }

        if (IsIPv4(host))
        {
            kind = SipHostKind.IPv4;
            return host;
        }

        // hostname = *( domainlabel "." ) toplabel [ "." ]; labels are alphanum with inner '-'.
        string[] labels = host.EndsWith('.') ? host[..^1].Split('.') : host.Split('.');
        foreach (string label in labels)
        {
            if (label.Length == 0 || label[0] == '-' || label[^1] == '-')
            {
                throw new ArgumentException($"'{Shorten(host)}' is not a valid host name", nameof(host));
            }

            foreach (char c in label)
            {
                if (!SipGrammar.IsAlphaNum(c) && c != '-')
                {
                    throw new ArgumentException($"'{Shorten(host)}' is not a valid host name", nameof(host));
                }
            }
        }

        kind = SipHostKind.DomainName;
        return host;
    }

    private static bool IsIPv4(string host)
    {
        string[] parts = host.Split('.');
        if (parts.Length != 4)
        {
            return false;
        }

        foreach (string part in parts)
        {
            if (part.Length is 0 or > 3 || !SipGrammar.IsAllDigits(part) || int.Parse(part, CultureInfo.InvariantCulture) > 255)
            {
                return false;
            }
        }

        return true;
    }
}
