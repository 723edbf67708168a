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
