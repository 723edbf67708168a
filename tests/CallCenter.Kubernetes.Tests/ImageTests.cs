using System.Text.Json;
using System.Xml.Linq;
using k8s.Models;

namespace CallCenter.Kubernetes.Tests;

/// <summary>
/// The images the manifests run are the ones the repository's Dockerfiles build (read as text, no Docker engine): each
/// project image a manifest names has a Dockerfile, whose entrypoint runs the deployable's assembly and which EXPOSEs
/// every container and probe port the manifest gives the container.
/// </summary>
public sealed class ImageTests
{
    /// <summary>Images of this project; any other (redis) is someone else's published image.</summary>
    private const string ProjectRegistry = "callcenter/";

    private readonly IReadOnlyList<Dockerfile> _dockerfiles = Dockerfile.All();

    private readonly IReadOnlyList<(string Owner, V1Container Container)> _containers =
        Rules.PodSpecs(Manifests.LoadFiles(Manifests.ManifestFiles(Manifests.K8sDirectory)))
            .SelectMany(pod => pod.Pod.Containers.Select(container => (pod.Owner, container)))
            .Where(item => item.container.Image is not null)
            .ToList();

    [Fact]
    public void The_silo_and_the_edge_each_have_a_dockerfile()
    {
        Assert.Equal(["callcenter/edge-sip", "callcenter/silo"], _dockerfiles.Select(d => d.Title).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_project_image_a_manifest_uses_has_a_dockerfile()
    {
        var ours = _containers.Where(item => item.Container.Image.StartsWith(ProjectRegistry, StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(ours);
        foreach (var (owner, container) in ours)
        {
            Assert.True(
                DockerfileOf(container) is not null,
                $"{owner} runs {container.Image}: no Dockerfile under src/ has the label org.opencontainers.image.title=\"{Repository(container.Image)}\"");
        }
    }

    [Fact]
    public void Each_dockerfile_entrypoint_runs_its_deployables_assembly()
    {
        foreach (var dockerfile in _dockerfiles)
        {
            var project = ProjectBeside(dockerfile);
            Assert.Equal(["dotnet", AssemblyName(project) + ".dll"], dockerfile.Entrypoint);
            var projectPath = Path.GetRelativePath(Manifests.RepoRoot, project).Replace('\\', '/');
            Assert.True(
                dockerfile.Instructions.Any(i => i.Keyword == "RUN" && i.Arguments.Contains($"dotnet publish {projectPath}", StringComparison.Ordinal)),
                $"{Relative(dockerfile)} should publish {projectPath}");
        }
    }

    [Fact]
    public void A_command_a_manifest_sets_is_the_images_entrypoint()
    {
        foreach (var (owner, container) in _containers)
        {
            if (container.Command is { Count: > 0 } command && DockerfileOf(container) is { } dockerfile)
            {
                Assert.True(command.SequenceEqual(dockerfile.Entrypoint ?? []), $"{owner} runs '{string.Join(' ', command)}', the image's entrypoint is '{string.Join(' ', dockerfile.Entrypoint ?? [])}'");
            }
        }
    }

    [Fact]
    public void Each_image_exposes_the_container_and_probe_ports_of_its_manifest()
    {
        foreach (var (owner, container) in _containers)
        {
            if (DockerfileOf(container) is not { } dockerfile)
            {
                continue;
            }

            var exposed = dockerfile.ExposedPorts();
            foreach (var port in container.Ports ?? [])
            {
                var protocol = (port.Protocol ?? "TCP").ToUpperInvariant();
                Assert.True(exposed.Contains((port.ContainerPort, protocol)), $"{owner}: container port {port.ContainerPort}/{protocol} ({port.Name}) is not EXPOSEd by {Relative(dockerfile)}");
            }

            foreach (var (probe, port) in ProbePorts(container))
            {
                Assert.True(exposed.Contains((port, "TCP")), $"{owner}: the {probe} probe's port {port}/TCP is not EXPOSEd by {Relative(dockerfile)}");
            }
        }
    }

    [Fact]
    public void Each_image_runs_as_a_non_root_user()
    {
        foreach (var dockerfile in _dockerfiles)
        {
            Assert.False(string.IsNullOrEmpty(dockerfile.User), $"{Relative(dockerfile)}: the final stage should name a USER");
            Assert.DoesNotContain(dockerfile.User, new[] { "root", "0", "0:0" });
        }
    }

    [Fact]
    public void Each_image_builds_on_the_sdk_band_of_global_json_and_runs_on_the_runtime_its_project_needs()
    {
        using var globalJson = JsonDocument.Parse(File.ReadAllText(Path.Combine(Manifests.RepoRoot, "global.json")));
        var pinned = globalJson.RootElement.GetProperty("sdk").GetProperty("version").GetString()!;
        foreach (var dockerfile in _dockerfiles)
        {
            var sdkImages = dockerfile.Stages.Select(stage => stage.Split(' ')[0]).Where(image => image.StartsWith("mcr.microsoft.com/dotnet/sdk:", StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(sdkImages);
            foreach (var image in sdkImages)
            {
                Assert.True(FeatureBand(image.Split(':')[1]) == FeatureBand(pinned), $"{Relative(dockerfile)} builds on {image}, global.json pins {pinned}: the same feature band, or the SDK refuses to build");
            }

            var needsAspNet = NeedsAspNetCore(ProjectBeside(dockerfile), []);
            var runtime = dockerfile.FinalBaseImage;
            Assert.True(
                runtime.StartsWith("mcr.microsoft.com/dotnet/aspnet:", StringComparison.Ordinal)
                || (!needsAspNet && runtime.StartsWith("mcr.microsoft.com/dotnet/runtime:", StringComparison.Ordinal)),
                $"{Relative(dockerfile)} runs on {runtime}; its project {(needsAspNet ? "needs ASP.NET Core (the aspnet image)" : "needs the .NET runtime image or aspnet")}");
        }
    }

    private Dockerfile? DockerfileOf(V1Container container) =>
        _dockerfiles.SingleOrDefault(dockerfile => dockerfile.Title == Repository(container.Image));

    private static string Repository(string image)
    {
        var lastSlash = image.LastIndexOf('/');
        var colon = image.IndexOf(':', lastSlash + 1);
        return colon < 0 ? image : image[..colon];
    }

    private static IEnumerable<(string Probe, int Port)> ProbePorts(V1Container container)
    {
        foreach (var (name, probe) in new[] { ("startup", container.StartupProbe), ("readiness", container.ReadinessProbe), ("liveness", container.LivenessProbe) })
        {
            var port = probe?.HttpGet?.Port ?? probe?.TcpSocket?.Port;
            if (port is not null)
            {
                yield return (name, Resolve(container, port.Value));
            }
            else if (probe?.Grpc is { } grpc)
            {
                yield return (name, grpc.Port);
            }
        }
    }

    /// <summary>A probe's port: a number, or the name of one of the container's ports.</summary>
    private static int Resolve(V1Container container, string port) =>
        int.TryParse(port, out var number)
            ? number
            : container.Ports?.SingleOrDefault(p => p.Name == port)?.ContainerPort
              ?? throw new Xunit.Sdk.XunitException($"container {container.Name}: a probe names port '{port}', which the container does not declare");

    private static string ProjectBeside(Dockerfile dockerfile)
    {
        var projects = Directory.GetFiles(Path.GetDirectoryName(dockerfile.Path)!, "*.csproj");
        return Assert.Single(projects);
    }

    private static string AssemblyName(string project) =>
        XDocument.Load(project).Descendants("AssemblyName").Select(e => e.Value.Trim()).FirstOrDefault(v => v.Length > 0)
        ?? Path.GetFileNameWithoutExtension(project);

    /// <summary>Whether the project or one it references (transitively) is a web project or references ASP.NET Core.</summary>
    private static bool NeedsAspNetCore(string project, HashSet<string> seen)
    {
        var full = Path.GetFullPath(project);
        if (!seen.Add(full))
        {
            return false;
        }

        var document = XDocument.Load(full);
        var sdk = document.Root?.Attribute("Sdk")?.Value ?? "";
        if (sdk.Contains("Microsoft.NET.Sdk.Web", StringComparison.OrdinalIgnoreCase)
            || document.Descendants("FrameworkReference").Any(r => r.Attribute("Include")?.Value == "Microsoft.AspNetCore.App"))
        {
            return true;
        }

        return document.Descendants("ProjectReference")
            .Select(r => r.Attribute("Include")?.Value)
            .OfType<string>()
            .Any(reference => NeedsAspNetCore(Path.Combine(Path.GetDirectoryName(full)!, reference.Replace('\\', '/')), seen));
    }

    /// <summary>"10.0.401" and "10.0.400" are both band 10.0.4xx.</summary>
    private static string FeatureBand(string version)
    {
        var parts = version.Split('.');
        return parts.Length >= 3 && parts[2].Length == 3 ? $"{parts[0]}.{parts[1]}.{parts[2][0]}xx" : version;
    }

    private static string Relative(Dockerfile dockerfile) => Path.GetRelativePath(Manifests.RepoRoot, dockerfile.Path);
}
