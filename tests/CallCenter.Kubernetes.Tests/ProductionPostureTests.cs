using k8s.Models;

namespace CallCenter.Kubernetes.Tests;

/// <summary>
/// The manifests run the production posture: Redis clustering (so no demo users or phones), demo credentials never
/// switched on, anonymous loopback off, and the operator's own admin user taken from the Secret.
/// </summary>
public sealed class ProductionPostureTests
{
    private readonly IReadOnlyList<object> _base = Manifests.Base();

    [Theory]
    [InlineData("silo")]
    [InlineData("edge-sip")]
    public void Deployment_RunsOutsideTheDemo(string name)
    {
        var container = Rules.Container(Rules.Deployment(_base, name));

        Assert.Equal("Redis", Rules.Setting(_base, container, "Orleans__Clustering__ProviderType"));
        Assert.NotEqual("true", Rules.Setting(_base, container, "CallCenter__DemoCredentials__Enabled")?.ToLowerInvariant());
    }

    [Fact]
    public void Silo_TakesItsAdminsSecretHashFromTheSecret_AsAPlaceholderStartUpRefuses()
    {
        var silo = Rules.Container(Rules.Deployment(_base, "silo"));

        var hash = Rules.Env(silo, "CallCenter__Gateway__Users__0__SecretHash");
        Assert.NotNull(hash?.ValueFrom?.SecretKeyRef);
        Assert.Equal("Admin", Rules.Setting(_base, silo, "CallCenter__Gateway__Users__0__Role"));
        var secret = _base.OfType<V1Secret>().Single(s => s.Metadata.Name == hash!.ValueFrom.SecretKeyRef.Name);
        Assert.StartsWith("REPLACE-WITH", secret.StringData[hash!.ValueFrom.SecretKeyRef.Key], StringComparison.Ordinal);
    }
}
