using System.Net.Http.Headers;
using System.Text;
using CallCenter.Model;
using CallCenter.Web.Security;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.AspNetCore.Server;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Proto = CallCenter.Gateway.V1;

namespace CallCenter.Tests.Security;

/// <summary>
/// No caller of one tenant learns another tenant's ids: every HTTP endpoint of the endpoint data source and every gRPC
/// method of the gateway, called by every role (anonymous, agent, supervisor, tenant admin) of either tenant, naming
/// the other tenant's ids in the path, query and body. A response may repeat an id the request named (a "not found"
/// naming it), never another one (a waiting call of a queue, the agent's site). An endpoint added later is called too.
/// </summary>
public sealed class TenantIsolationTests(TenantIsolationHost host) : IClassFixture<TenantIsolationHost>
{
    private static readonly UserRole[] TenantRoles = [UserRole.Agent, UserRole.Supervisor, UserRole.Admin];

    [Fact]
    public async Task EveryEndpointAndRpc_ForEveryRoleOfEitherTenant_ShowsNothingOfTheOtherTenant()
    {
        var leaks = new List<string>();
        var callers = new List<(string Name, Func<Task<string?>> Token, string Other)>
        {
            ("anonymous", () => Task.FromResult<string?>(null), TenantIsolationHost.TenantA),
            ("anonymous", () => Task.FromResult<string?>(null), TenantIsolationHost.TenantB),
        };
        foreach (var (tenant, other) in new[] { (TenantIsolationHost.TenantA, TenantIsolationHost.TenantB), (TenantIsolationHost.TenantB, TenantIsolationHost.TenantA) })
        {
            foreach (var role in TenantRoles)
            {
                var principal = TenantIsolationHost.PrincipalOf(tenant, role);
                callers.Add(($"{tenant} {role}", async () => await host.TokenForAsync(principal), other));
            }
        }

        var requests = HttpRequests().ToList();
        var rpcs = GrpcMethods().ToList();
        await Task.WhenAll(callers.Select(async caller =>
        {
            var found = new List<string>();
            foreach (var request in requests)
            {
                foreach (var id in TenantIsolationHost.ProbeIds(caller.Other))
                {
                    var (status, body) = await SendAsync(request, id, caller.Other, await caller.Token());
                    found.AddRange(Leaks(body, caller.Other, id).Select(marker => $"{caller.Name}: {request.Method} {request.Pattern} with '{id}' -> {status} shows '{marker}'"));
                }
            }

            foreach (var rpc in rpcs)
            {
                foreach (var id in TenantIsolationHost.ProbeIds(caller.Other))
                {
                    var answer = await InvokeAsync(rpc, id, await caller.Token());
                    found.AddRange(Leaks(answer, caller.Other, id).Select(marker => $"{caller.Name}: gRPC {rpc.FullName} with '{id}' shows '{marker}'"));
                }
            }

            lock (leaks)
            {
                leaks.AddRange(found);
            }
        }));

        Assert.True(leaks.Count == 0, "cross-tenant reads:\n" + string.Join("\n", leaks.Distinct().Order()));
    }

    /// <summary>The probe can see a leak: the same requests by the platform admin (who sees every tenant) show tenant A's ids.</summary>
    [Fact]
    public async Task ThePlatformAdmin_SeesBothTenants_SoTheProbeWouldSeeALeak()
    {
        var token = await host.TokenForAsync(new Principal("root", UserRole.Admin, TenantDefinition.DefaultTenantId, null, null, "s"));
        var request = HttpRequests().Single(r => r.Pattern == "/api/queues" && r.Method == "GET");

        var (_, body) = await SendAsync(request, "", TenantIsolationHost.TenantA, token);

        Assert.Contains($"{TenantIsolationHost.TenantA}-call-2", body);
        Assert.Contains($"{TenantIsolationHost.TenantB}-call-2", body);
        var rpc = GrpcMethods().Single(m => m.Name == "ListAgents");
        Assert.Contains($"{TenantIsolationHost.TenantA}-agent", await InvokeAsync(rpc, "", token));
    }

    /// <summary>Every gRPC method the endpoints map is among those the probe calls.</summary>
    [Fact]
    public void TheProbe_CallsEveryMappedGrpcMethod()
    {
        var mapped = Endpoints()
            .Select(endpoint => endpoint.Metadata.GetMetadata<GrpcMethodMetadata>()?.Method)
            .Where(method => method is not null && !string.IsNullOrEmpty(method.Name) && !endpoint_IsCatchAll(method))
            .Select(method => method!.FullName.TrimStart('/'))
            .ToHashSet();
        var probed = GrpcMethods().Select(method => $"{method.Service.FullName}/{method.Name}").ToHashSet();

        Assert.Subset(probed, mapped);
        Assert.True(probed.Count >= 19, $"only {probed.Count} gRPC methods");

        static bool endpoint_IsCatchAll(IMethod method) => method.Name.Contains('{', StringComparison.Ordinal);
    }

    private static IEnumerable<string> Leaks(string response, string otherTenant, string named) =>
        TenantIsolationHost.Markers(otherTenant).Where(marker => marker != named && response.Contains(marker, StringComparison.Ordinal));

    private sealed record HttpProbe(string Method, string Pattern, RoutePattern Route);

    private IEnumerable<RouteEndpoint> Endpoints() =>
        ((IEndpointRouteBuilder)host.App).DataSources.SelectMany(source => source.Endpoints).OfType<RouteEndpoint>();

    /// <summary>Every HTTP route (not gRPC) with each of its methods.</summary>
    private IEnumerable<HttpProbe> HttpRequests() =>
        Endpoints()
            .Where(endpoint => endpoint.Metadata.GetMetadata<GrpcMethodMetadata>() is null)
            .SelectMany(endpoint => (endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(method => new HttpProbe(method, endpoint.RoutePattern.RawText ?? "", endpoint.RoutePattern)))
            .DistinctBy(probe => (probe.Method, probe.Pattern));

    private async Task<(int Status, string Body)> SendAsync(HttpProbe probe, string id, string otherTenant, string? token)
    {
        var path = new StringBuilder();
        foreach (var segment in probe.Route.PathSegments)
        {
            path.Append('/');
            foreach (var part in segment.Parts)
            {
                path.Append(part switch
                {
                    RoutePatternLiteralPart literal => literal.Content,
                    RoutePatternSeparatorPart separator => separator.Content,
                    RoutePatternParameterPart => Uri.EscapeDataString(id),
                    _ => "",
                });
            }
        }

        // Each request names one id only (path, query and body alike), so only that id may come back as an echo.
        var escaped = Uri.EscapeDataString(id);
        var query = $"?tenantId={otherTenant}&queueId={escaped}&siteId={escaped}&agentId={escaped}&callId={escaped}";
        using var request = new HttpRequestMessage(new HttpMethod(probe.Method), path + query);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (probe.Method is "POST" or "PUT" or "PATCH")
        {
            var body = $$"""{"id":"{{id}}","agentId":"{{id}}","siteId":"{{id}}","queueId":"{{id}}","callId":"{{id}}","tenantId":"{{otherTenant}}","target":"{{id}}","requestedByAgentId":"{{id}}","epoch":1,"reasonCode":"break","party":"Caller","skills":[]}""";
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var response = await host.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        // A stream (the wallboard's server-sent events) is read up to its first event.
        if (response.Content.Headers.ContentType?.MediaType == "text/event-stream")
        {
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancel.Token));
            var firstEvent = new StringBuilder();
            while (await reader.ReadLineAsync(cancel.Token) is { } line && (line.Length > 0 || firstEvent.Length == 0))
            {
                firstEvent.AppendLine(line);
            }

            return ((int)response.StatusCode, firstEvent.ToString());
        }

        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(cancel.Token));
    }

    private static IEnumerable<MethodDescriptor> GrpcMethods() =>
        new[] { Proto.AgentDesk.Descriptor, Proto.Supervisor.Descriptor }.SelectMany(service => service.Methods);

    /// <summary>Calls <paramref name="rpc"/> with every string field of its request set to <paramref name="id"/>; the reply or the error as text.</summary>
    private async Task<string> InvokeAsync(MethodDescriptor rpc, string id, string? token)
    {
        var request = rpc.InputType.Parser.ParseFrom(ByteString.Empty);
        foreach (var field in rpc.InputType.Fields.InFieldNumberOrder().Where(f => f.FieldType == FieldType.String && !f.IsRepeated))
        {
            field.Accessor.SetValue(request, id);
        }

        var marshaller = (MessageDescriptor type) => Marshallers.Create<IMessage>(message => message.ToByteArray(), bytes => type.Parser.ParseFrom(bytes));
        var type = rpc.IsServerStreaming ? MethodType.ServerStreaming : MethodType.Unary;
        var method = new Method<IMessage, IMessage>(type, rpc.Service.FullName, rpc.Name, marshaller(rpc.InputType), marshaller(rpc.OutputType));
        var headers = token is null ? new Metadata() : new Metadata { { "authorization", "Bearer " + token } };
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{host.GatewayPort}");
        // A stream (the desk's events) is read until it has been quiet for a moment: what it would show is sent at once.
        var options = new CallOptions(headers, deadline: DateTime.UtcNow.AddSeconds(rpc.IsServerStreaming ? 1 : 20));
        var text = new StringBuilder();
        try
        {
            if (rpc.IsServerStreaming)
            {
                using var call = channel.CreateCallInvoker().AsyncServerStreamingCall(method, null, options, request);
                while (await call.ResponseStream.MoveNext(CancellationToken.None))
                {
                    text.AppendLine(call.ResponseStream.Current.ToString());
                }
            }
            else
            {
                text.Append((await channel.CreateCallInvoker().AsyncUnaryCall(method, null, options, request)).ToString());
            }
        }
        catch (RpcException exception)
        {
            text.AppendLine(exception.Status.Detail);
        }

        return text.ToString();
    }
}
