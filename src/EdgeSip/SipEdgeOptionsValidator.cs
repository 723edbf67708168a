using System.Net;

namespace CallCenter.EdgeSip;

/// <summary>Checks the edge's settings at start-up, naming each bad one, so a mistake stops the edge instead of failing calls.</summary>
public static class SipEdgeOptionsValidator
{
    public static IReadOnlyList<string> Validate(SipEdgeOptions options)
    {
        var errors = new List<string>();
        var section = SipEdgeOptions.Section;
        if (!IPAddress.TryParse(options.ListenAddress, out _))
        {
            errors.Add($"{section}:ListenAddress '{options.ListenAddress}' is not an IP address");
        }

        if (!string.IsNullOrWhiteSpace(options.AdvertisedAddress) && !IPAddress.TryParse(options.AdvertisedAddress, out _))
        {
            errors.Add($"{section}:AdvertisedAddress '{options.AdvertisedAddress}' is not an IP address");
        }

        if (options.Port is < 0 or > 65535)
        {
            errors.Add($"{section}:Port must be 0 to 65535");
        }

        if (!options.Udp && !options.Tcp)
        {
            errors.Add($"{section}: enable Udp, Tcp or both");
        }

        if (options.RtpPortFirst is < 1024 or > 65534 || options.RtpPortLast < options.RtpPortFirst + 1 || options.RtpPortLast > 65535)
        {
            errors.Add($"{section}:RtpPortFirst/RtpPortLast must be a range of at least two ports within 1024-65535");
        }

        foreach (var name in options.DigestAlgorithms.Where(name => name is not ("MD5" or "SHA-256")))
        {
            errors.Add($"{section}:DigestAlgorithms: '{name}' is not SHA-256 or MD5");
        }

        if (string.IsNullOrWhiteSpace(options.SiteId))
        {
            errors.Add($"{section}:SiteId is required");
        }
        else if (options.SiteId.Contains(CallIds.SiteSeparator))
        {
            errors.Add($"{section}:SiteId must not contain '{CallIds.SiteSeparator}' (call ids carry their site before it)");
        }

        for (var i = 0; i < options.Accounts.Count; i++)
        {
            var account = options.Accounts[i];
            if (string.IsNullOrWhiteSpace(account.Username) || (string.IsNullOrEmpty(account.Password) && !account.HasHa1()) || string.IsNullOrWhiteSpace(account.AgentId))
            {
                errors.Add($"{section}:Accounts:{i} needs Username, AgentId and a Password or both Ha1Md5 (32 hex digits) and Ha1Sha256 (64)");
            }
        }

        foreach (var duplicate in options.Accounts.GroupBy(a => a.Username, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            errors.Add($"{section}:Accounts: user '{duplicate.Key}' is listed twice");
        }

        if (!(options.ConfigurationRefreshSeconds is >= 0.1 and <= 300))
        {
            errors.Add($"{section}:ConfigurationRefreshSeconds must be from 0.1 to 300");
        }

        if (!(options.LeaseRenewalSeconds is >= 0.2 and <= 600))
        {
            errors.Add($"{section}:LeaseRenewalSeconds must be from 0.2 to 600");
        }

        if (options.AnnounceEverySeconds < 5)
        {
            errors.Add($"{section}:AnnounceEverySeconds must be at least 5");
        }

        ValidateWebSocket(options, errors);

        try
        {
            _ = new Protection.TrunkAllowlist(options.Trunks);
        }
        catch (ArgumentException exception)
        {
            errors.Add($"{section}:Trunks: {exception.Message}");
        }

        return errors;
    }

    private static void ValidateWebSocket(SipEdgeOptions options, List<string> errors)
    {
        var ws = options.WebSocket;
        var section = SipWebSocketOptions.Section;
        if (!ws.Enabled)
        {
            return;
        }

        if (ws.Port is < 0 or > 65535)
        {
            errors.Add($"{section}:Port must be 0 (off) to 65535");
        }

        var listen = string.IsNullOrWhiteSpace(ws.ListenAddress) ? options.ListenAddress : ws.ListenAddress;
        if (!IPAddress.TryParse(listen, out var address))
        {
            errors.Add($"{section}:ListenAddress '{listen}' is not an IP address");
        }
        else if (!ws.IsSecure && !IPAddress.IsLoopback(address) && !ws.AllowInsecure)
        {
            errors.Add($"{section}: ws (no TLS) on {listen} exposes phone credentials; set CertificatePath for wss, listen on loopback, or set AllowInsecure");
        }

        if (ws.IsSecure && string.IsNullOrWhiteSpace(ws.CertificatePath))
        {
            errors.Add($"{section}: wss needs a certificate: set CertificatePath (and CertificatePassword or CertificateKeyPath)");
        }
        else if (ws.IsSecure)
        {
            try
            {
                using var certificate = ws.LoadCertificate();
                if (certificate is { HasPrivateKey: false })
                {
                    errors.Add($"{section}:CertificatePath '{ws.CertificatePath}' has no private key");
                }
            }
            catch (Exception exception) when (exception is System.Security.Cryptography.CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
            {
                errors.Add($"{section}:CertificatePath '{ws.CertificatePath}' cannot be loaded: {exception.Message}");
            }
        }

        if (ws.MaxConnections < 1)
        {
            errors.Add($"{section}:MaxConnections must be at least 1");
        }

        if (!(ws.IdleTimeoutSeconds is >= 10 and <= 86400))
        {
            errors.Add($"{section}:IdleTimeoutSeconds must be from 10 to 86400");
        }
    }

    public static void ThrowIfInvalid(SipEdgeOptions options)
    {
        var errors = Validate(options);
        if (errors.Count > 0)
        {
            throw new InvalidOperationException("Invalid SIP edge settings: " + string.Join("; ", errors));
        }
    }
}
