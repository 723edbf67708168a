using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;

namespace CallCenter.WebRtc.Dtls;

/// <summary>
/// The certificate an edge process shows in every DTLS handshake: ECDSA P-256, self-signed, trusted by the browser
/// only through its fingerprint in our SDP (RFC 5763 §5), so no CA and no name matter.
/// </summary>
public sealed class DtlsCertificate
{
    public static readonly TimeSpan DefaultValidity = TimeSpan.FromDays(30);

    private readonly byte[] _der;

    private DtlsCertificate(byte[] der, ECPrivateKeyParameters privateKey)
    {
        _der = der;
        PrivateKey = privateKey;
        Fingerprint = DtlsFingerprint.Compute(der);
    }

    /// <summary>The DER encoding sent in the Certificate message.</summary>
    public ReadOnlySpan<byte> Der => _der;

    /// <summary>SHA-256 of <see cref="Der"/>, for <c>a=fingerprint</c>.</summary>
    public DtlsFingerprint Fingerprint { get; }

    internal ECPrivateKeyParameters PrivateKey { get; }

    internal byte[] DerArray => _der;

    /// <summary>
    /// A fresh key and certificate, valid from an hour before now (peers' clocks drift) for <paramref name="validity"/>.
    /// </summary>
    public static DtlsCertificate CreateSelfSigned(TimeProvider timeProvider, TimeSpan? validity = null, string commonName = "CallCenter.WebRtc")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(new X500DistinguishedName("CN=" + commonName), key, HashAlgorithmName.SHA256);
        var now = timeProvider.GetUtcNow();
        using var certificate = request.CreateSelfSigned(now.AddHours(-1), now.Add(validity ?? DefaultValidity));
        return FromKey(certificate.RawData, key);
    }

    /// <summary>
    /// An operator's own certificate (PFX/PEM loaded by the host): it must hold an exportable ECDSA P-256 private key.
    /// </summary>
    public static DtlsCertificate FromX509(X509Certificate2 certificate)
    {
        using var key = certificate.GetECDsaPrivateKey()
            ?? throw new ArgumentException("The DTLS certificate needs an ECDSA private key.", nameof(certificate));
        return FromKey(certificate.RawData, key);
    }

    private static DtlsCertificate FromKey(byte[] der, ECDsa key)
    {
        var parameters = key.ExportParameters(includePrivateParameters: true);
        if (parameters.Curve.Oid?.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
        {
            throw new ArgumentException("The DTLS certificate key must be on P-256 (secp256r1).", nameof(key));
        }

        var privateKey = new ECPrivateKeyParameters("EC", new BigInteger(1, parameters.D!), SecObjectIdentifiers.SecP256r1);
        CryptographicOperations.ZeroMemory(parameters.D);
        return new DtlsCertificate(der, privateKey);
    }
}
