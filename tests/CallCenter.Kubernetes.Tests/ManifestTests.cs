using k8s;
using k8s.Models;

namespace CallCenter.Kubernetes.Tests;

/// <summary>The manifests under k8s/base, parsed into KubernetesClient's models, follow the deployment rules.</summary>
public sealed class ManifestTests
{
    private readonly IReadOnlyList<object> _base = Manifests.Base();

    [Fact]
    public void Every_manifest_under_k8s_parses_into_KubernetesClient_models()
    {
        var files = Manifests.ManifestFiles(Manifests.K8sDirectory);
        Assert.True(files.Count > 0, "there should be manifests under k8s/");
        foreach (var file in files)
        {
            var objects = Manifests.LoadFiles([file]);
            Assert.True(objects.Count > 0, $"{file} holds no Kubernetes object");
            foreach (var item in objects)
            {
                Assert.True(item is IKubernetesObject<V1ObjectMeta> { Metadata.Name: { Length: > 0 } }, $"{file}: a {item.GetType().Name} without a name");
            }
        }
    }

    [Fact]
    public void Silo_has_liveness_and_readiness_probes_on_the_health_endpoints() => Rules.SiloHasProbes(_base);

    [Fact]
    public void Silo_shutdown_timeout_is_shorter_than_the_termination_grace_period() => Rules.ShutdownTimeoutIsShorterThanGracePeriod(_base);

    [Fact]
    public void A_pod_disruption_budget_selects_the_silo_pods() => Rules.PdbSelectsSilo(_base);

    [Fact]
    public void A_horizontal_pod_autoscaler_targets_the_silo_deployment_on_cpu() => Rules.HpaTargetsSilo(_base);

    [Fact]
    public void Every_container_requests_cpu_and_memory() => Rules.EveryContainerRequestsResources(_base);

    [Fact]
    public void Redis_is_a_stateful_set_with_append_only_persistence_on_a_volume_claim() => Rules.RedisPersists(_base);

    [Fact]
    public void Edge_service_exposes_sip_over_udp_and_tcp_and_the_rtp_range() => Rules.EdgeServiceExposesSipAndRtp(_base);

    [Fact]
    public void Configuration_comes_from_a_config_map_and_secrets_from_a_secret() => Rules.ConfigFromConfigMapAndSecretsFromSecret(_base);

    [Fact]
    public void Pod_ip_comes_from_the_downward_api() => Rules.PodIpFromDownwardApi(_base);

    [Fact]
    public void Silo_declares_the_orleans_and_gateway_ports_it_is_configured_with() => Rules.SiloPortsMatchConfiguration(_base);

    [Fact]
    public void Rtp_range_needs_a_load_balancer_service_or_host_network()
    {
        // A ClusterIP/NodePort Service cannot carry RTP to a phone outside the cluster at the advertised address.
        var edge = Rules.Deployment(_base, Rules.EdgeName);
        var service = _base.OfType<V1Service>().Single(s => s.Spec.Ports.Any(p => p.Port == 5060));
        Assert.True(service.Spec.Type == "LoadBalancer" || edge.Spec.Template.Spec.HostNetwork == true,
            $"Service {service.Metadata.Name} is {service.Spec.Type ?? "ClusterIP"}: RTP from outside needs a LoadBalancer or hostNetwork");
    }
}
