using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using CallCenter.Model;
using CallCenter.Web.Hosting;
using CallCenter.Tests.Infrastructure;

namespace CallCenter.Tests.Telemetry;

/// <summary>
/// The real silo process with <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set exports traces, metrics and logs over OTLP/HTTP.
/// The receiver here only collects what arrives (there is no OpenTelemetry collector on this machine); the bodies are
/// the exporter's protobuf, in which names and attribute values stand as plain UTF-8.
/// </summary>
public sealed class OtlpExportTests : IAsyncLifetime
{
    private readonly HttpListener _receiver = new();
    private readonly ConcurrentBag<(string Path, byte[] Body)> _received = [];
    private readonly int _port = PortAllocator.Next();
    private SiloProcess _silo = null!;
    private Task _receiving = Task.CompletedTask;

    public async Task InitializeAsync()
    {
        _receiver.Prefixes.Add($"http://127.0.0.1:{_port}/");
        _receiver.Start();
        _receiving = Task.Run(ReceiveAsync);
        _silo = SiloProcess.Start(new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{_port}",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_SERVICE_NAME"] = "callcenter-otlp-test",
            // Export soon rather than every minute, so the test waits for seconds, not minutes.
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            ["OTEL_BLRP_SCHEDULE_DELAY"] = "200",
        });
        await _silo.WaitUntilReadyAsync();
    }

    public async Task DisposeAsync()
    {
        await _silo.DisposeAsync();
        _receiver.Stop();
        await _receiving.ContinueWith(_ => { }, TaskScheduler.Default);
        _receiver.Close();
    }

    [Fact]
    public async Task ACallPlacedOverHttp_ReachesTheCollector_AsSpansMetricsAndLogs()
    {
        var placed = await _silo.Http.PostAsync("/api/calls", new StringContent("""{"siteId":"london","dialledNumber":"2000","callerNumber":"+441888"}""", Encoding.UTF8, "application/json"));
        var call = (await placed.Content.ReadFromJsonAsync<CallSnapshot>(JsonDefaults.Options))!;
        await _silo.Http.PostAsync($"/api/calls/{call.CallId}/hangup", new StringContent("""{"party":"Caller"}""", Encoding.UTF8, "application/json"));

        await Eventually.HoldsAsync(() => Task.FromResult(Received("/v1/metrics", "callcenter.calls.ended")), "the ended call's counter exported");
        await Eventually.HoldsAsync(() => Task.FromResult(Received("/v1/traces", "ICallDesk/HangUpAsync")), "the call grain's spans exported");
        await Eventually.HoldsAsync(() => Task.FromResult(_received.Any(r => r.Path == "/v1/logs")), "logs exported");
        Assert.True(Received("/v1/metrics", "callcenter-otlp-test"), "the service name on the resource");
        Assert.False(_received.Where(r => r.Path == "/v1/metrics").Any(r => Contains(r.Body, call.CallId)), "no call id in any metric");
    }

    private bool Received(string path, string text) => _received.Any(r => r.Path == path && Contains(r.Body, text));

    private static bool Contains(byte[] body, string text) => body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;

    private async Task ReceiveAsync()
    {
        while (_receiver.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _receiver.GetContextAsync();
            }
            catch (Exception exception) when (exception is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var body = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(body);
            _received.Add((context.Request.Url!.AbsolutePath, body.ToArray()));
            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/x-protobuf";
            context.Response.Close();
        }
    }
}
