using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace CallCenter.Sip.Auth;

/// <summary>
/// A Digest challenge, the value of a WWW-Authenticate or Proxy-Authenticate header
/// (RFC 3261 section 25: <c>digest-cln</c>). Parameter names are case-insensitive; unknown
/// parameters are kept in <see cref="ExtensionParameters"/> with their values as written.
/// </summary>
public sealed class DigestChallenge
{
    private const string Context = "Digest challenge";

    public DigestChallenge(string realm, string nonce)
    {
        Realm = realm;
        Nonce = nonce;
    }

    public string Realm { get; }

    public string Nonce { get; }

    public string? Opaque { get; init; }

    /// <summary>The domain parameter (a space-separated URI list), unparsed.</summary>
    public string? Domain { get; init; }

    /// <summary>The algorithm as written ("MD5", "SHA-256", ...); null when absent (meaning MD5).</summary>
    public string? Algorithm { get; init; }

    /// <summary>The qop-options ("auth", "auth-int"); empty when the challenge has no qop (RFC 2069 style).</summary>
    public IReadOnlyList<string> QopOptions { get; init; } = [];

    /// <summary>True when the server rejected the previous request only because its nonce was stale.</summary>
    public bool Stale { get; init; }

    /// <summary>Other auth-params (for example userhash or charset), values as written with quotes.</summary>
    public SipParameters ExtensionParameters { get; } = new();

    /// <summary>True when qop="auth" is offered.</summary>
    public bool OffersQopAuth => QopOptions.Any(option => option.Equals("auth", StringComparison.OrdinalIgnoreCase));

    /// <summary>Parses a header value such as <c>Digest realm="a", nonce="b", qop="auth"</c>.</summary>
    /// <exception cref="SipParseException">The value is not a well-formed Digest challenge.</exception>
    public static DigestChallenge Parse(string value)
    {
        (string scheme, List<AuthParam> parameters) = AuthParamReader.Read(value, Context);
        if (!scheme.Equals(DigestHeaderNames.DigestScheme, StringComparison.OrdinalIgnoreCase))
        {
            throw new SipParseException($"{Context}: scheme is not Digest");
        }

        string? realm = null;
        string? nonce = null;
        string? opaque = null;
        string? domain = null;
        string? algorithm = null;
        IReadOnlyList<string> qop = [];
        bool stale = false;
        var extensions = new List<AuthParam>();
        foreach (AuthParam parameter in parameters)
        {
            switch (parameter.Name.ToLowerInvariant())
            {
                case "realm":
                    realm = parameter.Value;
                    break;
                case "nonce":
                    nonce = parameter.Value;
                    break;
                case "opaque":
                    opaque = parameter.Value;
                    break;
                case "domain":
                    domain = parameter.Value;
                    break;
                case "algorithm":
                    algorithm = RequireToken(parameter);
                    break;
                case "qop":
                    qop = ParseQopOptions(parameter.Value);
                    break;
                case "stale":
                    stale = ParseStale(parameter.Value);
                    break;
                default:
                    extensions.Add(parameter);
                    break;
            }
        }

        if (realm is null)
        {
            throw new SipParseException($"{Context}: realm is missing");
        }

        if (nonce is null)
        {
            throw new SipParseException($"{Context}: nonce is missing");
        }

        var challenge = new DigestChallenge(realm, nonce)
        {
            Opaque = opaque,
            Domain = domain,
            Algorithm = algorithm,
            QopOptions = qop,
            Stale = stale,
        };
        foreach (AuthParam extension in extensions)
        {
            challenge.ExtensionParameters.Add(extension.Name, extension.WasQuoted ? AuthParamReader.Quote(extension.Value) : extension.Value);
        }

        return challenge;
    }

    public static bool TryParse(string? value, [NotNullWhen(true)] out DigestChallenge? challenge)
    {
        try
        {
            challenge = Parse(value!);
            return true;
        }
        catch (SipParseException)
        {
            challenge = null;
            return false;
        }
    }

    /// <summary>
    /// The header value: <c>Digest realm="...", nonce="...", opaque="...", algorithm=SHA-256, qop="auth"</c>,
    /// then domain, stale and extension parameters when present.
    /// </summary>
    public override string ToString()
    {
        var builder = new StringBuilder(160);
        builder.Append(DigestHeaderNames.DigestScheme)
            .Append(" realm=").Append(AuthParamReader.Quote(Realm))
            .Append(", nonce=").Append(AuthParamReader.Quote(Nonce));
        if (Opaque is not null)
        {
            builder.Append(", opaque=").Append(AuthParamReader.Quote(Opaque));
        }

        if (Algorithm is not null)
        {
            builder.Append(", algorithm=").Append(TokenOrQuoted(Algorithm));
        }

        if (QopOptions.Count > 0)
        {
            builder.Append(", qop=").Append(AuthParamReader.Quote(string.Join(',', QopOptions)));
        }

        if (Domain is not null)
        {
            builder.Append(", domain=").Append(AuthParamReader.Quote(Domain));
        }

        if (Stale)
        {
            builder.Append(", stale=true");
        }

        AppendExtensions(builder, ExtensionParameters);
        return builder.ToString();
    }

    internal static string TokenOrQuoted(string value) => AuthParamReader.IsToken(value) ? value : AuthParamReader.Quote(value);

    internal static string RequireToken(AuthParam parameter)
    {
        // Some implementations quote tokens such as algorithm; accept that, but the content must be a token.
        if (!AuthParamReader.IsToken(parameter.Value))
        {
            throw new SipParseException($"Digest: parameter '{parameter.Name}' must be a token");
        }

        return parameter.Value;
    }

    internal static void AppendExtensions(StringBuilder builder, SipParameters extensions)
    {
        foreach (SipParameter extension in extensions)
        {
            builder.Append(", ").Append(extension.Name).Append('=').Append(extension.Value ?? "\"\"");
        }
    }

    private static List<string> ParseQopOptions(string value)
    {
        var options = new List<string>();
        foreach (string part in value.Split(','))
        {
            string option = part.Trim(' ', '\t');
            if (option.Length == 0)
            {
                continue;
            }

            if (!AuthParamReader.IsToken(option))
            {
                throw new SipParseException($"{Context}: qop option '{option}' is not a token");
            }

            options.Add(option);
        }

        if (options.Count == 0)
        {
            throw new SipParseException($"{Context}: qop lists no options");
        }

        return options;
    }

    private static bool ParseStale(string value)
    {
        if (value.Equals("true", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (value.Equals("false", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        throw new SipParseException($"{Context}: stale must be true or false");
    }
}
