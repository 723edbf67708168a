using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace CallCenter.EdgeSip.Protection;

/// <summary>
/// The addresses trunks may send INVITEs from when the call has no registered-user relationship:
/// exact IPv4/IPv6 addresses ("203.0.113.7", "2001:db8::7") and CIDR ranges ("203.0.113.0/24",
/// "2001:db8::/32"). An EMPTY list accepts ANY source (<see cref="Any"/>); configure at least one entry
/// to restrict trunk traffic.
/// </summary>
/// <remarks>
/// Parsing is strict so a typo cannot silently widen the list: IPv4 is exactly four decimal octets
/// without leading zeros, ranges must have no bits set after the prefix ("10.0.0.1/8" is refused), and
/// IPv6 zone ids, brackets and ports are refused. IPv4-mapped IPv6 sources (from dual-mode sockets) are
/// matched as IPv4, and an IPv4-mapped entry ("::ffff:192.0.2.1", "::ffff:192.0.2.0/120") is read as
/// the IPv4 address or range it maps.
/// </remarks>
public sealed class TrunkAllowlist
{
    private readonly IPNetwork[] _networks;

    /// <exception cref="ArgumentException">An entry is not an address or CIDR range; the message names it.</exception>
    public TrunkAllowlist(IEnumerable<string> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var networks = new List<IPNetwork>();
        foreach (string entry in entries)
        {
            networks.Add(ParseEntry(entry));
        }

        _networks = [.. networks.Distinct()];
    }

    /// <summary>The list that accepts every source.</summary>
    public static TrunkAllowlist Any { get; } = new([]);

    /// <summary>True when the list is empty and so accepts every source.</summary>
    public bool AllowsAny => _networks.Length == 0;

    /// <summary>The configured ranges (an exact address is a /32 or /128).</summary>
    public IReadOnlyList<IPNetwork> Networks => _networks;

    public bool Allows(IPAddress source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (_networks.Length == 0)
        {
            return true;
        }

        if (source.IsIPv4MappedToIPv6)
        {
            source = source.MapToIPv4();
        }

        foreach (IPNetwork network in _networks)
        {
            if (network.Contains(source))
            {
                return true;
            }
        }

        return false;
    }

    public override string ToString() => AllowsAny ? "any" : string.Join(", ", _networks);

    private static IPNetwork ParseEntry(string? entry)
    {
        if (entry is null)
        {
            throw new ArgumentException("Trunk allowlist entry is null.", "entries");
        }

        string text = entry.Trim();
        int slash = text.IndexOf('/', StringComparison.Ordinal);
        string addressText = slash >= 0 ? text[..slash] : text;
        if (!TryParseAddress(addressText, out IPAddress? address))
        {
            throw Bad(entry, "not an IPv4 or IPv6 address");
        }

        int maxPrefix = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        int prefix = maxPrefix;
        if (slash >= 0)
        {
            string prefixText = text[(slash + 1)..];
            if (prefixText.Length is 0 or > 3
                || !prefixText.All(char.IsAsciiDigit)
                || (prefixText.Length > 1 && prefixText[0] == '0')
                || !int.TryParse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture, out prefix)
                || prefix > maxPrefix)
            {
                throw Bad(entry, $"the prefix length must be a number from 0 to {maxPrefix}");
            }
        }

        if (address.IsIPv4MappedToIPv6 && prefix >= 96)
        {
            address = address.MapToIPv4();
            prefix -= 96;
        }

        if (HasBitsAfterPrefix(address, prefix))
        {
            throw Bad(entry, "bits are set after the prefix (write the network address, or a longer prefix)");
        }

        return new IPNetwork(address, prefix);
    }

    private static bool HasBitsAfterPrefix(IPAddress address, int prefix)
    {
        byte[] bytes = address.GetAddressBytes();
        for (int bit = prefix; bit < bytes.Length * 8; bit++)
        {
            if ((bytes[bit / 8] & (0x80 >> (bit % 8))) != 0)
            {
                return true;
            }
        }

        return false;
    }

    private static bool TryParseAddress(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        if (text.Contains(':', StringComparison.Ordinal))
        {
            // IPv6: hex digits, colons and an optional dotted IPv4 tail; no zone id, brackets or port.
            return text.All(c => char.IsAsciiHexDigit(c) || c is ':' or '.')
                && IPAddress.TryParse(text, out address)
                && address.AddressFamily == AddressFamily.InterNetworkV6;
        }

        // IPv4: exactly four decimal octets, 0-255, no leading zeros (IPAddress.TryParse alone would
        // accept "10.1", "0x0a.0.0.1" or octal "010.0.0.1").
        string[] octets = text.Split('.');
        if (octets.Length != 4)
        {
            return false;
        }

        foreach (string octet in octets)
        {
            if (octet.Length is 0 or > 3
                || !octet.All(char.IsAsciiDigit)
                || (octet.Length > 1 && octet[0] == '0')
                || int.Parse(octet, NumberStyles.None, CultureInfo.InvariantCulture) > 255)
            {
                return false;
            }
        }

        return IPAddress.TryParse(text, out address) && address.AddressFamily == AddressFamily.InterNetwork;
    }

    private static ArgumentException Bad(string entry, string reason) =>
        new($"Trunk allowlist entry '{entry}' is invalid: {reason}.", "entries");
}
