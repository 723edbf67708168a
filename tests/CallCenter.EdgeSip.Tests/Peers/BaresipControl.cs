using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace CallCenter.EdgeSip.Tests.Peers;

/// <summary>
/// baresip's <c>ctrl_tcp</c> module (loaded when <see cref="BaresipOptions.Control"/>): menu commands as JSON in
/// netstrings over TCP, e.g. <c>hold</c>, <c>resume</c>, <c>transfer &lt;uri&gt;</c> (a blind transfer by REFER).
/// </summary>
public sealed partial class BaresipProcess
{
    /// <summary>The ctrl_tcp port; null without <see cref="BaresipOptions.Control"/>.</summary>
    public int? ControlPort { get; private set; }

    /// <summary>Runs a menu command and returns baresip's response (its <c>ok</c> flag and text).</summary>
    public async Task<(bool Ok, string Data)> CommandAsync(string command, string parameters = "")
    {
        var port = ControlPort ?? throw new InvalidOperationException("baresip was started without Control");
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port, limit.Token);
        var stream = client.GetStream();
        var json = JsonSerializer.Serialize(new Dictionary<string, string> { ["command"] = command, ["params"] = parameters, ["token"] = "test" });
        var payload = Encoding.UTF8.GetBytes(json);

        // One write: 1.0.0's reader drops a connection whose first segment is not a whole netstring.
        var netstring = Encoding.ASCII.GetBytes(payload.Length.ToString(CultureInfo.InvariantCulture) + ":").Concat(payload).Append((byte)',').ToArray();
        await stream.WriteAsync(netstring, limit.Token);

        // Events share the connection: read netstrings until the response.
        while (true)
        {
            string text;
            try
            {
                text = await ReadNetstringAsync(stream, limit.Token);
            }
            catch (EndOfStreamException exception)
            {
                throw new InvalidOperationException($"baresip closed its control connection on '{command}':\n{Output}", exception);
            }

            using var message = JsonDocument.Parse(text);
            if (message.RootElement.TryGetProperty("response", out var response) && response.GetBoolean())
            {
                var ok = message.RootElement.TryGetProperty("ok", out var okProperty) && okProperty.GetBoolean();
                var data = message.RootElement.TryGetProperty("data", out var dataProperty) ? dataProperty.ToString() : "";
                return (ok, data);
            }
        }
    }

    private static string ControlConfig(int? port) =>
        port is { } listen ? $"module ctrl_tcp.so\nctrl_tcp_listen 127.0.0.1:{listen.ToString(CultureInfo.InvariantCulture)}\n" : "";

    private static async Task<string> ReadNetstringAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var length = 0;
        var one = new byte[1];
        while (true)
        {
            await stream.ReadExactlyAsync(one, cancellationToken);
            if (one[0] == ':')
            {
                break;
            }

            length = (length * 10) + (one[0] - '0');
        }

        var body = new byte[length + 1];
        await stream.ReadExactlyAsync(body, cancellationToken);
        return Encoding.UTF8.GetString(body, 0, length);
    }
}
