using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace CallCenter.WebRtc.Dtls;

/// <summary>Our DTLS server: ECDHE-ECDSA, a client certificate required, use_srtp chosen in the client's order.</summary>
internal sealed class SrtpDtlsServer(BcTlsCrypto crypto, HandshakeOutcome outcome) : DefaultTlsServer(crypto)
{
    public override int GetHandshakeResendTimeMillis() => outcome.InitialRetransmitMillis;

    protected override ProtocolVersion[] GetSupportedVersions() => ProtocolVersion.DTLSv12.Only();

    protected override int[] GetSupportedCipherSuites() => TlsUtilities.GetSupportedCipherSuites(Crypto, HandshakeOutcome.CipherSuites);

    protected override TlsCredentialedSigner GetECDsaSignerCredentials() => outcome.SignerCredentials(m_context, crypto);

    public override CertificateRequest GetCertificateRequest() =>
        new([ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign], TlsUtilities.GetDefaultSupportedSignatureAlgorithms(m_context), null);

    public override void NotifyClientCertificate(Certificate clientCertificate) => outcome.VerifyRemoteCertificate(clientCertificate);

    public override void ProcessClientExtensions(IDictionary<int, byte[]> clientExtensions)
    {
        base.ProcessClientExtensions(clientExtensions);
        var offered = TlsSrtpUtilities.GetUseSrtpExtension(clientExtensions)
            ?? throw outcome.Refuse(DtlsFailureReason.NoSrtpProfile, "the client offered no use_srtp extension", AlertDescription.handshake_failure);
        foreach (var id in offered.ProtectionProfiles)
        {
            if (outcome.Options.Profiles.Contains((DtlsSrtpProfile)id))
            {
                outcome.Profile = (DtlsSrtpProfile)id;
                return;
            }
        }

        throw outcome.Refuse(
            DtlsFailureReason.NoSrtpProfile,
            "no SRTP profile in common; the client offered " + string.Join(",", offered.ProtectionProfiles.Select(p => $"0x{p:X4}")),
            AlertDescription.handshake_failure);
    }

    public override IDictionary<int, byte[]> GetServerExtensions()
    {
        var extensions = base.GetServerExtensions();
        // We use no MKI (RFC 5764 §4.1.1): one SRTP key per direction for the association's life.
        TlsSrtpUtilities.AddUseSrtpExtension(extensions, new UseSrtpData([(int)outcome.Profile!.Value], []));
        return extensions;
    }

    public override void NotifyHandshakeComplete()
    {
        base.NotifyHandshakeComplete();
        outcome.ExportKeys(m_context);
    }
}

/// <summary>
/// Our DTLS client: what the edge uses when the browser's answer says passive, and what the webrtc bench uses to
/// play a browser.
/// </summary>
internal sealed class SrtpDtlsClient(BcTlsCrypto crypto, HandshakeOutcome outcome) : DefaultTlsClient(crypto)
{
    public override int GetHandshakeResendTimeMillis() => outcome.InitialRetransmitMillis;

    protected override ProtocolVersion[] GetSupportedVersions() => ProtocolVersion.DTLSv12.Only();

    protected override int[] GetSupportedCipherSuites() => TlsUtilities.GetSupportedCipherSuites(Crypto, HandshakeOutcome.CipherSuites);

    public override IDictionary<int, byte[]> GetClientExtensions()
    {
        var extensions = base.GetClientExtensions();
        if (outcome.Options.Profiles.Count > 0)
        {
            TlsSrtpUtilities.AddUseSrtpExtension(extensions, new UseSrtpData([.. outcome.Options.Profiles.Select(p => (int)p)], []));
        }

        return extensions;
    }

    public override void ProcessServerExtensions(IDictionary<int, byte[]> serverExtensions)
    {
        base.ProcessServerExtensions(serverExtensions);
        if (outcome.Options.Profiles.Count == 0)
        {
            return;
        }

        var chosen = TlsSrtpUtilities.GetUseSrtpExtension(serverExtensions)
            ?? throw outcome.Refuse(DtlsFailureReason.NoSrtpProfile, "the server answered without use_srtp", AlertDescription.handshake_failure);
        // RFC 5764 §4.1.1: exactly one profile, one we offered, and no MKI since we sent none.
        if (chosen.ProtectionProfiles.Length != 1
            || !outcome.Options.Profiles.Contains((DtlsSrtpProfile)chosen.ProtectionProfiles[0])
            || chosen.Mki.Length != 0)
        {
            throw outcome.Refuse(DtlsFailureReason.NoSrtpProfile, "the server's use_srtp is not one profile we offered", AlertDescription.illegal_parameter);
        }

        outcome.Profile = (DtlsSrtpProfile)chosen.ProtectionProfiles[0];
    }

    public override TlsAuthentication GetAuthentication() => new FingerprintAuthentication(outcome, m_context, crypto);

    public override void NotifyHandshakeComplete()
    {
        base.NotifyHandshakeComplete();
        outcome.ExportKeys(m_context);
    }

    private sealed class FingerprintAuthentication(HandshakeOutcome outcome, TlsContext context, BcTlsCrypto crypto) : TlsAuthentication
    {
        public void NotifyServerCertificate(TlsServerCertificate serverCertificate) =>
            outcome.VerifyRemoteCertificate(serverCertificate.Certificate);

        public TlsCredentials GetClientCredentials(CertificateRequest certificateRequest) =>
            outcome.SignerCredentials(context, crypto);
    }
}
