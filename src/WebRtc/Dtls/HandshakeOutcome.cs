using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace CallCenter.WebRtc.Dtls;

/// <summary>What the BouncyCastle peer learned during the handshake: the specific reason it refused, or the keys.</summary>
internal sealed class HandshakeOutcome(DtlsSrtpOptions options)
{
    public DtlsSrtpOptions Options => options;

    public DtlsFailureReason Failure { get; private set; }

    public string? Detail { get; private set; }

    public DtlsSrtpProfile? Profile { get; set; }

    public SrtpKeys? Keys { get; private set; }

    public DtlsFingerprint? RemoteFingerprint { get; private set; }

    public TlsFatalAlert Refuse(DtlsFailureReason reason, string detail, short alert)
    {
        if (Failure == DtlsFailureReason.None)
        {
            Failure = reason;
            Detail = detail;
        }

        return new TlsFatalAlert(alert, detail);
    }

    /// <summary>RFC 5763 §5: the certificate is trusted exactly when it matches the fingerprint from the signalling.</summary>
    public void VerifyRemoteCertificate(Certificate? certificate)
    {
        if (certificate is null || certificate.IsEmpty)
        {
            throw Refuse(DtlsFailureReason.NoRemoteCertificate, "the peer sent no certificate", AlertDescription.certificate_required);
        }

        var der = certificate.GetCertificateAt(0).GetEncoded();
        RemoteFingerprint = DtlsFingerprint.Compute(der);
        if (!DtlsFingerprint.AnyMatches(options.RemoteFingerprints, der))
        {
            throw Refuse(
                DtlsFailureReason.FingerprintMismatch,
                $"the peer's certificate ({RemoteFingerprint.ToSdpValue()}) matches no fingerprint of the remote SDP",
                AlertDescription.bad_certificate);
        }
    }

    /// <summary>RFC 5764 §4.2: the SRTP master keys come from the TLS exporter with the label EXTRACTOR-dtls_srtp.</summary>
    public void ExportKeys(TlsContext context)
    {
        if (Profile is not { } profile)
        {
            return;
        }

        var material = context.ExportKeyingMaterial(ExporterLabel.dtls_srtp, null, SrtpKeys.KeyingMaterialLength(profile));
        Keys = SrtpKeys.FromKeyingMaterial(profile, material, options.Role);
        Array.Clear(material);
    }

    public TlsCredentialedSigner SignerCredentials(TlsContext context, BcTlsCrypto crypto)
    {
        var certificate = new Certificate([crypto.CreateCertificate(options.LocalCertificate.DerArray)]);
        return new BcDefaultTlsCredentialedSigner(
            new TlsCryptoParameters(context),
            crypto,
            options.LocalCertificate.PrivateKey,
            certificate,
            new SignatureAndHashAlgorithm(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa));
    }

    // AES-GCM only: every browser offers it, and its fixed 24-byte minimum lets DtlsRecordInspector drop short
    // encrypted records that BouncyCastle would otherwise answer with a fatal decode_error mid-handshake.
    public static readonly int[] CipherSuites =
    [
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    ];

    public int InitialRetransmitMillis => (int)Math.Clamp(options.InitialRetransmitTimeout.TotalMilliseconds, 1, 60_000);
}

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
