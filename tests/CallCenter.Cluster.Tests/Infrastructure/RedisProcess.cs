using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using StackExchange.Redis;

namespace CallCenter.Cluster.Tests.Infrastructure;

/// <summary>
/// A real <c>redis-server</c> (Debian package) on a free loopback port with append-only persistence in its own temporary
/// folder, as production runs it (docs/operations.md). It can be shut down and started again on the same port and folder.
/// </summary>
public sealed class RedisProcess : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("callcenter-cluster-redis-").FullName;
    private readonly StringBuilder _output = new();
    private Process? _process;

    public int Port { get; } = FreePort();

    public string ConnectionString => $"127.0.0.1:{Port},abortConnect=false";

    public bool IsRunning => _process is { HasExited: false };

    public static async Task<RedisProcess> StartAsync()
    {
        var redis = new RedisProcess();
        await redis.StartAgainAsync();
        return redis;
    }

    /// <summary>Starts redis-server on this port and folder; it loads whatever its append-only file holds.</summary>
    public async Task StartAgainAsync()
    {
        var start = new ProcessStartInfo("redis-server")
        {
            ArgumentList =
            {
                "--port", Port.ToString(), "--bind", "127.0.0.1", "--dir", _directory,
                "--appendonly", "yes", "--appendfsync", "everysec", "--save", "",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        try
        {
            _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new InvalidOperationException("redis-server is not installed: scripts/test.sh installs it (apt-get install redis-server)", exception);
        }

        _process.OutputDataReceived += (_, line) => Append(line.Data);
        _process.ErrorDataReceived += (_, line) => Append(line.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await Eventually.HoldsAsync(
            async () =>
            {
                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"redis-server exited with {_process.ExitCode}:\n{Output}");
                }

                try
                {
                    await using var connection = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{Port},connectTimeout=500");
                    // LOADING while it replays the append-only file: ready only once it answers a read.
                    await connection.GetDatabase().KeyExistsAsync("callcenter:probe");
                    return true;
                }
                catch (Exception exception) when (exception is RedisConnectionException or RedisServerException)
                {
                    return false;
                }
            },
            "redis-server answers on its port",
            seconds: 30);
    }

    /// <summary>
    /// <c>SHUTDOWN</c>, as a clean stop does: Redis flushes its append-only file and exits. Waits for the process to end,
    /// so the port is free to start again.
    /// </summary>
    public async Task ShutdownAsync()
    {
        var process = _process ?? throw new InvalidOperationException("redis-server is not running");
        await using (var connection = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{Port},connectTimeout=2000,allowAdmin=true"))
        {
            try
            {
                connection.GetServers()[0].Shutdown(ShutdownMode.Default);
            }
            catch (RedisConnectionException)
            {
                // SHUTDOWN never answers: the server closes the connection as it exits.
            }
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }
}
