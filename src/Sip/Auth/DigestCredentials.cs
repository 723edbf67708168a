using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using CallCenter.Sip.Parsing;

namespace CallCenter.Sip.Auth;

/// <summary>
/// Digest credentials, the value of an Authorization or Proxy-Authorization header
/// (RFC 3261 section 25: <c>digest-response</c>). Parameter names are case-insensitive.
/// </summary>
public sealed class DigestCredentials
{
    private const string Context = "Digest credentials";

    public DigestCredentials(string username, string realm, string nonce, string uri, string response)
    {
        Username = username;
        Realm = realm;
        Nonce = nonce;
        Uri = uri;
        Response = response;
    }

    public string Username { get; }

    public string Realm { get; }

    public string Nonce { get; }

    /// <summary>The digest-uri exactly as sent; it is hashed as written.</summary>
    public string Uri { get; }

    /// <summary>The request-digest (hex).</summary>
    public string Response { get; }

    /// <summary>The algorithm as written; null when absent (meaning MD5).</summary>
    public string? Algorithm { get; init; }

    public string? Cnonce { get; init; }

    public string? Opaque { get; init; }

    /// <summary>The qop the client chose ("auth"); null for RFC 2069 style credentials.</summary>
    public string? Qop { get; init; }

    /// <summary>The nonce-count as sent: exactly 8 hex digits ("00000001"), or null without qop.</summary>
    public string? NonceCount { get; init; }

    /// <summary>Other auth-params, values as written with quotes.</summary>
    public SipParameters ExtensionParameters { get; } = new();

    /// <summary>The numeric nonce-count, or null when absent.</summary>
    public uint? NonceCountValue =>
        NonceCount is not null && uint.TryParse(NonceCount, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out uint count)
            ? count
            : null;

    /// <summary>Parses a header value such as <c>Digest username="bob", realm="a", nonce="b", uri="sip:a", response="..."</c>.</summary>
    /// <exception cref="SipParseException">The value is not well-formed Digest credentials.</exception>
    public static DigestCredentials Parse(string value)
    {
        (string scheme, List<AuthParam> parameters) = AuthParamReader.Read(value, Context);
        if (!scheme.Equals(DigestHeaderNames.DigestScheme, StringComparison.OrdinalIgnoreCase))
        {
            throw new SipParseException($"{Context}: scheme is not Digest");
        }

        string? username = null;
        string? realm = null;
        string? nonce = null;
        string? uri = null;
        string? response = null;
        string? algorithm = null;
        string? cnonce = null;
        string? opaque = null;
        string? qop = null;
        string? nonceCount = null;
        var extensions = new List<AuthParam>();
        foreach (AuthParam parameter in parameters)
        {
            switch (parameter.Name.ToLowerInvariant())
            {
                case "username":
                    username = parameter.Value;
                    break;
                case "realm":
                    realm = parameter.Value;
                    break;
                case "nonce":
                    nonce = parameter.Value;
                    break;
                case "uri":
                    uri = parameter.Value;
                    break;
                case "response":
                    response = parameter.Value;
                    break;
                case "algorithm":
                    algorithm = DigestChallenge.RequireToken(parameter);
                    break;
                case "cnonce":
                    cnonce = parameter.Value;
                    break;
                case "opaque":
                    opaque = parameter.Value;
                    break;
                case "qop":
                    qop = DigestChallenge.RequireToken(parameter);
                    break;
                case "nc":
                    nonceCount = parameter.Value;
                    break;
                default:
                    extensions.Add(parameter);
                    break;
            }
        }

        username = username ?? throw new SipParseException($"{Context}: username is missing");
        realm = realm ?? throw new SipParseException($"{Context}: realm is missing");
        nonce = nonce ?? throw new SipParseException($"{Context}: nonce is missing");
        uri = uri ?? throw new SipParseException($"{Context}: uri is missing");
        response = response ?? throw new SipParseException($"{Context}: response is missing");
        if (response.Length == 0 || !response.All(SipGrammar.IsHexDigit))
        {
            throw new SipParseException($"{Context}: response is not hexadecimal");
        }

        if (nonceCount is not null && (nonceCount.Length != 8 || !nonceCount.All(SipGrammar.IsHexDigit)))
        {
            throw new SipParseException($"{Context}: nc must be 8 hex digits");
        }

        if (qop is not null && (cnonce is null || nonceCount is null))
        {
            throw new SipParseException($"{Context}: qop requires cnonce and nc");
        }

        var credentials = new DigestCredentials(username, realm, nonce, uri, response)
        {
            Algorithm = algorithm,
            Cnonce = cnonce,
            Opaque = opaque,
            Qop = qop,
            NonceCount = nonceCount,
        };
        foreach (AuthParam extension in extensions)
        {
            credentials.ExtensionParameters.Add(extension.Name, extension.WasQuoted ? AuthParamReader.Quote(extension.Value) : extension.Value);
        }

        return credentials;
    }

    public static bool TryParse(string? value, [NotNullWhen(true)] out DigestCredentials? credentials)
    {
        try
        {
            credentials = Parse(value!);
            return true;
        }
        catch (SipParseException)
        {
            credentials = null;
            return false;
        }
    }

    /// <summary>
    /// The header value in RFC 3261 form: username, realm, nonce, uri, response, cnonce and opaque
    /// quoted; algorithm, qop and nc as tokens.
    /// </summary>
    public override string ToString()
    {
        var builder = new StringBuilder(256);
        builder.Append(DigestHeaderNames.DigestScheme)
            .Append(" username=").Append(AuthParamReader.Quote(Username))
            .Append(", realm=").Append(AuthParamReader.Quote(Realm))
            .Append(", nonce=").Append(AuthParamReader.Quote(Nonce))
            .Append(", uri=").Append(AuthParamReader.Quote(Uri))
            .Append(", response=").Append(AuthParamReader.Quote(Response));
        if (Algorithm is not null)
        {
            builder.Append(", algorithm=").Append(DigestChallenge.TokenOrQuoted(Algorithm));
        }

        if (Cnonce is not null)
        {
            builder.Append(", cnonce=").Append(AuthParamReader.Quote(Cnonce));
        }

        if (Opaque is not null)
        {
            builder.Append(", opaque=").Append(AuthParamReader.Quote(Opaque));
        }

        if (Qop is not null)
        {
            builder.Append(", qop=").Append(DigestChallenge.TokenOrQuoted(Qop));
        }

        if (NonceCount is not null)
        {
            builder.Append(", nc=").Append(NonceCount);
        }

        DigestChallenge.AppendExtensions(builder, ExtensionParameters);
        return builder.ToString();
    }
}
