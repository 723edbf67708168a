using k8s.Models;

namespace CallCenter.Kubernetes.Tests;

/// <summary>
/// The deployment rules of the issue, each an assertion over a set of parsed objects (the base, or an overlay
/// rendered by kustomize).
/// </summary>
internal static class Rules
{
    public const string SiloName = "silo";
    public const string EdgeName = "edge-sip";

    private static readonly string[] SecretWords = ["ConnectionString", "SigningKey", "Secret", "Password", "Token"];

    public static V1Deployment Deployment(IReadOnlyList<object> objects, string name) =>
        objects.OfType<V1Deployment>().SingleOrDefault(d => d.Metadata?.Name == name)
        ?? throw new Xunit.Sdk.XunitException($"no Deployment named '{name}' among the manifests");

    public static V1Container Container(V1Deployment deployment) =>
        deployment.Spec.Template.Spec.Containers.SingleOrDefault()
        ?? throw new Xunit.Sdk.XunitException($"Deployment '{deployment.Metadata.Name}' should have exactly one container");

    public static V1EnvVar? Env(V1Container container, string name) => container.Env?.SingleOrDefault(e => e.Name == name);

    /// <summary>A setting of the container: its own env value, else a key of a ConfigMap it loads with envFrom.</summary>
    public static string? Setting(IReadOnlyList<object> objects, V1Container container, string name)
    {
        if (Env(container, name) is { } env)
        {
            return env.Value;
        }

        foreach (var source in container.EnvFrom ?? [])
        {
            if (source.ConfigMapRef?.Name is { } configMapName
                && ConfigMap(objects, configMapName).Data?.TryGetValue(name, out var value) == true)
            {
                return value;
            }
        }

        return null;
    }

    public static V1ConfigMap ConfigMap(IReadOnlyList<object> objects, string name) =>
        objects.OfType<V1ConfigMap>().SingleOrDefault(c => c.Metadata?.Name == name)
        ?? throw new Xunit.Sdk.XunitException($"no ConfigMap named '{name}' among the manifests");

    public static IEnumerable<(string Owner, V1PodSpec Pod)> PodSpecs(IReadOnlyList<object> objects) =>
        objects.OfType<V1Deployment>().Select(d => ($"Deployment/{d.Metadata.Name}", d.Spec.Template.Spec))
            .Concat(objects.OfType<V1StatefulSet>().Select(s => ($"StatefulSet/{s.Metadata.Name}", s.Spec.Template.Spec)))
            .Concat(objects.OfType<V1DaemonSet>().Select(s => ($"DaemonSet/{s.Metadata.Name}", s.Spec.Template.Spec)));

    public static void SiloHasProbes(IReadOnlyList<object> objects)
    {
        var silo = Container(Deployment(objects, SiloName));
        Assert.True(silo.ReadinessProbe?.HttpGet is not null, "the silo container needs an HTTP readiness probe");
        Assert.True(silo.ReadinessProbe!.HttpGet.Path == "/health/ready", $"the silo readiness probe should GET /health/ready, not {silo.ReadinessProbe.HttpGet.Path}");
        Assert.True(silo.LivenessProbe?.HttpGet is not null, "the silo container needs an HTTP liveness probe");
        Assert.True(silo.LivenessProbe!.HttpGet.Path == "/health/live", $"the silo liveness probe should GET /health/live, not {silo.LivenessProbe.HttpGet.Path}");

        // The probe port must be the one the silo's HTTP server listens on (Urls).
        var httpPort = silo.Ports?.SingleOrDefault(p => p.Name == "http")?.ContainerPort;
        Assert.True(httpPort is not null, "the silo container should name its HTTP port 'http'");
        var urls = Setting(objects, silo, "Urls");
        Assert.True(urls is not null && urls.Contains($":{httpPort}", StringComparison.Ordinal), $"Urls '{urls}' should listen on the http container port {httpPort}");
        Assert.False(urls!.Contains("127.0.0.1", StringComparison.Ordinal) || urls.Contains("localhost", StringComparison.Ordinal), $"Urls '{urls}' listens on loopback: the kubelet's probes cannot reach it");
        foreach (var probe in new[] { silo.ReadinessProbe, silo.LivenessProbe })
        {
            var port = probe.HttpGet.Port.Value;
            Assert.True(port == "http" || port == httpPort.ToString(), $"probe {probe.HttpGet.Path} targets port '{port}', not the HTTP port");
        }
    }

    public static void ShutdownTimeoutIsShorterThanGracePeriod(IReadOnlyList<object> objects)
    {
        var deployment = Deployment(objects, SiloName);
        var grace = deployment.Spec.Template.Spec.TerminationGracePeriodSeconds;
        Assert.True(grace is not null, "the silo Deployment should set terminationGracePeriodSeconds");
        var value = Setting(objects, Container(deployment), "HostOptions__ShutdownTimeout");
        Assert.True(value is not null, "the silo should set HostOptions__ShutdownTimeout (env or its ConfigMap)");
        Assert.True(TimeSpan.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out var timeout), $"HostOptions__ShutdownTimeout '{value}' is not a TimeSpan");
        Assert.True(timeout > TimeSpan.Zero, "HostOptions__ShutdownTimeout should be positive");
        Assert.True(timeout < TimeSpan.FromSeconds(grace!.Value),
            $"HostOptions__ShutdownTimeout {timeout} should be shorter than terminationGracePeriodSeconds {grace} so Orleans drains before SIGKILL");
    }

    public static void PdbSelectsSilo(IReadOnlyList<object> objects)
    {
        var podLabels = Deployment(objects, SiloName).Spec.Template.Metadata.Labels;
        var pdbs = objects.OfType<V1PodDisruptionBudget>().ToList();
        Assert.True(pdbs.Count > 0, "there should be a PodDisruptionBudget");
        var pdb = pdbs.SingleOrDefault(p => Selects(p.Spec.Selector, podLabels));
        Assert.True(pdb is not null, "a PodDisruptionBudget should select the silo pods (its matchLabels a subset of the silo's pod labels)");
        Assert.True(pdb!.Spec.MinAvailable is not null || pdb.Spec.MaxUnavailable is not null, $"PodDisruptionBudget {pdb.Metadata.Name} should set minAvailable or maxUnavailable");
    }

    public static void HpaTargetsSilo(IReadOnlyList<object> objects)
    {
        var deployment = Deployment(objects, SiloName);
        var hpa = objects.OfType<V2HorizontalPodAutoscaler>().SingleOrDefault(h => h.Spec.ScaleTargetRef.Kind == "Deployment" && h.Spec.ScaleTargetRef.Name == deployment.Metadata.Name);
        Assert.True(hpa is not null, $"an autoscaling/v2 HorizontalPodAutoscaler should target Deployment {deployment.Metadata.Name}");
        Assert.True(hpa!.Spec.MinReplicas is >= 2, $"the HPA's minReplicas should be at least 2 (a PDB on one silo blocks every drain), is {hpa.Spec.MinReplicas}");
        Assert.True(hpa.Spec.MaxReplicas >= hpa.Spec.MinReplicas, $"the HPA's maxReplicas {hpa.Spec.MaxReplicas} should be at least minReplicas {hpa.Spec.MinReplicas}");
        Assert.True(hpa.Spec.Metrics?.Any(m => m.Type == "Resource" && m.Resource?.Name == "cpu" && m.Resource.Target is not null) == true, "the HPA should scale on a CPU resource metric");
    }

    public static void EveryContainerRequestsResources(IReadOnlyList<object> objects)
    {
        var pods = PodSpecs(objects).ToList();
        Assert.True(pods.Count > 0, "there should be workloads");
        foreach (var (owner, pod) in pods)
        {
            foreach (var container in pod.Containers.Concat(pod.InitContainers ?? []))
            {
                var requests = container.Resources?.Requests;
                Assert.True(requests is not null && requests.ContainsKey("cpu") && requests.ContainsKey("memory"),
                    $"{owner} container {container.Name} should request cpu and memory");
            }
        }
    }

    public static void RedisPersists(IReadOnlyList<object> objects)
    {
        var redis = objects.OfType<V1StatefulSet>().SingleOrDefault(s => s.Metadata.Name == "redis");
        Assert.True(redis is not null, "Redis should run as a StatefulSet named redis");
        var container = redis!.Spec.Template.Spec.Containers.Single(c => c.Name == "redis");
        var commandLine = string.Join(' ', (container.Command ?? []).Concat(container.Args ?? []));
        Assert.True(commandLine.Contains("--appendonly yes", StringComparison.Ordinal), $"Redis should run with --appendonly yes, runs '{commandLine}'");
        var claims = redis.Spec.VolumeClaimTemplates ?? [];
        Assert.True(claims.Count > 0, "the Redis StatefulSet should have a volume claim template");
        var dataDir = container.VolumeMounts?.SingleOrDefault(m => claims.Any(c => c.Metadata.Name == m.Name));
        Assert.True(dataDir is not null, "the Redis container should mount its volume claim");
        Assert.True(commandLine.Contains($"--dir {dataDir!.MountPath}", StringComparison.Ordinal), $"Redis should keep its files (--dir) on the claim mounted at {dataDir.MountPath}");
    }

    public static void EdgeServiceExposesSipAndRtp(IReadOnlyList<object> objects)
    {
        var edge = Container(Deployment(objects, EdgeName));
        var podLabels = Deployment(objects, EdgeName).Spec.Template.Metadata.Labels;
        Assert.Equal(new[] { "dotnet", "CallCenter.EdgeSip.dll" }, edge.Command?.ToArray());
        var service = objects.OfType<V1Service>().SingleOrDefault(s => s.Spec.Selector is { } selector && selector.All(l => podLabels.TryGetValue(l.Key, out var v) && v == l.Value));
        Assert.True(service is not null, "a Service should select the SIP edge pods");
        var ports = service!.Spec.Ports;
        Assert.True(ports.Any(p => p.Port == 5060 && p.Protocol == "UDP"), $"Service {service.Metadata.Name} should expose SIP 5060 over UDP");
        Assert.True(ports.Any(p => p.Port == 5060 && p.Protocol == "TCP"), $"Service {service.Metadata.Name} should expose SIP 5060 over TCP");
        Assert.True(edge.Ports.Any(p => p.ContainerPort == 5060 && p.Protocol == "UDP") && edge.Ports.Any(p => p.ContainerPort == 5060 && p.Protocol == "TCP"),
            "the edge container should declare 5060 over UDP and TCP");

        var first = int.Parse(Setting(objects, edge, "CallCenter__Sip__RtpPortFirst") ?? throw new Xunit.Sdk.XunitException("the edge should set CallCenter__Sip__RtpPortFirst"), System.Globalization.CultureInfo.InvariantCulture);
        var last = int.Parse(Setting(objects, edge, "CallCenter__Sip__RtpPortLast") ?? throw new Xunit.Sdk.XunitException("the edge should set CallCenter__Sip__RtpPortLast"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(first <= last, $"RTP range {first}-{last} is empty");
        for (var port = first; port <= last; port++)
        {
            Assert.True(edge.Ports.Any(p => p.ContainerPort == port && p.Protocol == "UDP"), $"the edge container should declare RTP port {port}/UDP");
            Assert.True(ports.Any(p => p.Port == port && p.Protocol == "UDP"), $"Service {service.Metadata.Name} should expose RTP port {port}/UDP");
        }

        Assert.Equal("0.0.0.0", Setting(objects, edge, "CallCenter__Sip__ListenAddress"));
    }

    public static void ConfigFromConfigMapAndSecretsFromSecret(IReadOnlyList<object> objects)
    {
        var secrets = objects.OfType<V1Secret>().ToList();
        foreach (var (owner, pod) in PodSpecs(objects))
        {
            foreach (var container in pod.Containers)
            {
                foreach (var env in container.Env ?? [])
                {
                    if (SecretWords.Any(w => env.Name.Contains(w, StringComparison.OrdinalIgnoreCase)))
                    {
                        Assert.True(env.Value is null && env.ValueFrom?.SecretKeyRef is not null,
                            $"{owner} env {env.Name} is a secret: it should come from a Secret (secretKeyRef), not a plain value");
                        var reference = env.ValueFrom!.SecretKeyRef;
                        var secret = secrets.SingleOrDefault(s => s.Metadata.Name == reference.Name);
                        Assert.True(secret is not null, $"{owner} env {env.Name} refers to Secret {reference.Name}, which is not among the manifests");
                        Assert.True(secret!.StringData?.ContainsKey(reference.Key) == true || secret.Data?.ContainsKey(reference.Key) == true,
                            $"Secret {reference.Name} has no key {reference.Key} (for {owner} env {env.Name})");
                    }
                }

                foreach (var source in container.EnvFrom ?? [])
                {
                    if (source.ConfigMapRef is { } configMap)
                    {
                        _ = ConfigMap(objects, configMap.Name);
                    }
                }
            }
        }

        foreach (var configMap in objects.OfType<V1ConfigMap>())
        {
            foreach (var key in configMap.Data?.Keys ?? [])
            {
                Assert.False(SecretWords.Any(w => key.Contains(w, StringComparison.OrdinalIgnoreCase)), $"ConfigMap {configMap.Metadata.Name} holds {key}, a secret: put it in a Secret");
            }
        }

        var silo = Container(Deployment(objects, SiloName));
        Assert.True(silo.EnvFrom?.Any(e => e.ConfigMapRef is not null) == true, "the silo should load its configuration from a ConfigMap (envFrom)");
        foreach (var name in new[] { "Orleans__Clustering__ConnectionString", "CallCenter__Gateway__TokenSigningKey" })
        {
            Assert.True(Env(silo, name)?.ValueFrom?.SecretKeyRef is not null, $"the silo should take {name} from a Secret");
        }

        Assert.Equal("Redis", Setting(objects, silo, "Orleans__Clustering__ProviderType"));
        foreach (var name in new[] { "Orleans__ClusterId", "Orleans__ServiceId", "CallCenter__SiteId" })
        {
            Assert.False(string.IsNullOrWhiteSpace(Setting(objects, silo, name)), $"the silo should set {name}");
        }

        Assert.Equal("false", Setting(objects, silo, "CallCenter__Sip__Enabled"));
        var insecure = Setting(objects, silo, "CallCenter__Gateway__AllowInsecure");
        Assert.True(insecure == "true" || Setting(objects, silo, "CallCenter__Gateway__CertificatePath") is not null,
            "a non-loopback agent gateway needs CallCenter__Gateway__CertificatePath or CallCenter__Gateway__AllowInsecure=true");

        var edge = Container(Deployment(objects, EdgeName));
        Assert.True(Env(edge, "Orleans__Clustering__ConnectionString")?.ValueFrom?.SecretKeyRef is not null, "the edge should take the Redis connection string from a Secret");
        Assert.Equal("Redis", Setting(objects, edge, "Orleans__Clustering__ProviderType"));
    }

    public static void PodIpFromDownwardApi(IReadOnlyList<object> objects)
    {
        var silo = Container(Deployment(objects, SiloName));
        Assert.True(Env(silo, "CallCenter__AdvertisedAddress")?.ValueFrom?.FieldRef?.FieldPath == "status.podIP",
            "the silo should advertise its pod IP: CallCenter__AdvertisedAddress from fieldRef status.podIP");
        Assert.True(Env(silo, "POD_NAME")?.ValueFrom?.FieldRef?.FieldPath == "metadata.name", "the silo should know its pod name (POD_NAME from fieldRef metadata.name)");
        var edge = Container(Deployment(objects, EdgeName));
        var advertised = Env(edge, "CallCenter__Sip__AdvertisedAddress");
        Assert.True(advertised?.ValueFrom?.FieldRef?.FieldPath is "status.podIP" or "status.hostIP" || System.Net.IPAddress.TryParse(advertised?.Value, out _),
            "the edge should advertise the pod IP, the node IP (downward API) or a fixed load balancer IP");
    }

    public static void SiloPortsMatchConfiguration(IReadOnlyList<object> objects)
    {
        var silo = Container(Deployment(objects, SiloName));
        foreach (var (setting, fallback) in new[] { ("CallCenter__SiloPort", 11111), ("CallCenter__GatewayPort", 30000), ("CallCenter__Gateway__Port", 8081) })
        {
            var value = Setting(objects, silo, setting);
            var port = value is null ? fallback : int.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(silo.Ports?.Any(p => p.ContainerPort == port && (p.Protocol ?? "TCP") == "TCP") == true, $"the silo container should declare {setting} ({port}/TCP) as a container port");
        }

        Assert.Equal("0.0.0.0", Setting(objects, silo, "CallCenter__Gateway__ListenAddress"));
        Assert.Equal("false", Setting(objects, silo, "CallCenter__Http__AllowAnonymousLoopback"));
    }

    public static bool Selects(V1LabelSelector? selector, IDictionary<string, string>? labels) =>
        selector?.MatchLabels is { Count: > 0 } match && labels is not null && match.All(l => labels.TryGetValue(l.Key, out var v) && v == l.Value);

    public static void All(IReadOnlyList<object> objects)
    {
        SiloHasProbes(objects);
        ShutdownTimeoutIsShorterThanGracePeriod(objects);
        PdbSelectsSilo(objects);
        HpaTargetsSilo(objects);
        EveryContainerRequestsResources(objects);
        RedisPersists(objects);
        EdgeServiceExposesSipAndRtp(objects);
        ConfigFromConfigMapAndSecretsFromSecret(objects);
        PodIpFromDownwardApi(objects);
        SiloPortsMatchConfiguration(objects);
    }
}
