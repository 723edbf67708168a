using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CallCenter.Web.Hosting;

namespace CallCenter.Tests.Security;

/// <summary>The body limit (4 MB) holds whether the body says its length or arrives chunked: 413, and nothing is applied.</summary>
public sealed class BodySizeTests
{
    // Just over the limit: what the client still has to send when the server refuses fits in the socket buffers, so
    // the server's close after its 413 does not race a megabyte of upload (the chunked login case failed once in a
    // full run with 5 MB; a reset racing the upload is the likely cause, not confirmed).
    private const int Oversized = (4 * 1024 * 1024) + (16 * 1024);

    /// <summary>A body of the endpoint's own shape a little over the limit: valid JSON, so only its size can refuse it.</summary>
    private static byte[] Oversize(string path) => Encoding.UTF8.GetBytes(path switch
    {
        "/api/admin/config" => $$"""{"sites":[{"id":"north","name":"{{new string('n', Oversized)}}"}]}""",
        "/api/session/login" => $$"""{"userId":"sup","secret":"{{new string('s', Oversized)}}"}""",
        _ => $$"""{"siteId":"north","callerNumber":"{{new string('1', Oversized)}}"}""",
    });

    [Theory]
    [InlineData(true, "/api/admin/config", "PUT")]
    [InlineData(false, "/api/admin/config", "PUT")]
    [InlineData(true, "/api/session/login", "POST")]
    [InlineData(true, "/api/calls", "POST")]
    public async Task AnOversizedBody_Is413_ChunkedOrNot_AndNothingIsApplied(bool chunked, string path, string method)
    {
        await using var host = await SiloWebHost.StartAsync();
        using var http = host.CreateHttp();
        var before = await http.GetFromJsonAsync<JsonElement>("/api/admin/config", JsonDefaults.Options);
        var body = Oversize(path);
        using var request = new HttpRequestMessage(new HttpMethod(method), path)
        {
            // A stream of unknown length goes out chunked (Transfer-Encoding: chunked, no Content-Length).
            Content = chunked ? new StreamContent(new UnknownLengthStream(body)) : new ByteArrayContent(body),
        };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.TransferEncodingChunked = chunked;
        // With a Content-Length the server answers before the body is sent (it never asks for it with 100 Continue).
        request.Headers.ExpectContinue = !chunked;

        var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var after = await http.GetFromJsonAsync<JsonElement>("/api/admin/config", JsonDefaults.Options);
        Assert.Equal(before.GetProperty("version").GetInt64(), after.GetProperty("version").GetInt64());
    }

    /// <summary>A readable stream that does not tell its length, so HttpClient cannot send a Content-Length.</summary>
    private sealed class UnknownLengthStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
