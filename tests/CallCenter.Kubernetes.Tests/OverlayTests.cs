using k8s;
using k8s.Models;

namespace CallCenter.Kubernetes.Tests;

/// <summary>Each site overlay renders with <c>kubectl kustomize</c> (when kubectl is installed) into valid objects for its site.</summary>
public sealed class OverlayTests
{
    public static TheoryData<string> Sites()
    {
        var data = new TheoryData<string>();
        foreach (var site in Manifests.Sites)
        {
            data.Add(site);
        }

        return data;
    }

    [Fact]
    public void There_is_one_overlay_per_site() =>
        Assert.True(Manifests.Sites.Count >= 2, $"expected an overlay per site under k8s/overlays, found: {string.Join(", ", Manifests.Sites)}");

    [Theory]
    [MemberData(nameof(Sites))]
    public void Overlay_renders_for_its_site(string site)
    {
        var directory = Path.Combine(Manifests.K8sDirectory, "overlays", site);
        var kustomization = File.ReadAllText(Path.Combine(directory, "kustomization.yaml"));
        var kubectl = Manifests.FindKubectl();
        if (kubectl is null)
        {
            // No kubectl here: the overlay's own files still parse and name the site's namespace.
            var files = Manifests.ManifestFiles(directory);
            Assert.True(files.Count > 0, $"overlay {site} has no manifest of its own");
            Assert.NotEmpty(Manifests.LoadFiles(files));
            Assert.Contains($"namespace: callcenter-{site}", kustomization, StringComparison.Ordinal);
            Assert.Contains($"callcenter.io/site: {site}", kustomization, StringComparison.Ordinal);
            return;
        }

        var rendered = Manifests.Parse(Manifests.Kustomize(kubectl, directory), $"kubectl kustomize k8s/overlays/{site}");
        Assert.NotEmpty(rendered);
        var expectedNamespace = $"callcenter-{site}";
        foreach (var item in rendered.Cast<IKubernetesObject<V1ObjectMeta>>())
        {
            var what = $"{item.Kind}/{item.Metadata.Name} in overlay {site}";
            Assert.True(item.Metadata.Labels?.TryGetValue("callcenter.io/site", out var label) == true && label == site, $"{what} should carry the label callcenter.io/site={site}");
            if (item is V1Namespace)
            {
                Assert.Equal(expectedNamespace, item.Metadata.Name);
            }
            else
            {
                Assert.True(item.Metadata.NamespaceProperty == expectedNamespace, $"{what} is in namespace '{item.Metadata.NamespaceProperty}', not {expectedNamespace}");
            }
        }

        Assert.Single(rendered.OfType<V1Namespace>());
        foreach (var deployment in rendered.OfType<V1Deployment>())
        {
            Assert.True(deployment.Spec.Template.Metadata.Labels.TryGetValue("callcenter.io/site", out var podSite) && podSite == site,
                $"Deployment {deployment.Metadata.Name}'s pods should carry callcenter.io/site={site}");
        }

        var config = Rules.ConfigMap(rendered, "callcenter-config");
        Assert.Equal(site, config.Data["CallCenter__SiteId"]);
        Assert.Equal(site, config.Data["CallCenter__Sip__SiteId"]);

        // What kustomize produces still follows every rule of the base.
        Rules.All(rendered);
    }
}
