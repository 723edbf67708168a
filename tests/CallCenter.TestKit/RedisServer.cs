using System.Diagnostics;
using System.Globalization;
using System.Text;
using StackExchange.Redis;
using Xunit;

namespace CallCenter.TestKit;

/// <summary>
/// A real <c>redis-server</c> (Debian package) on a loopback port this test process owns (<see cref="PortAllocator"/>),
/// in its own temporary folder, stopped on dispose. As an xUnit fixture it keeps nothing on disk; started with
/// append-only persistence (<see cref="StartAsync"/>) it is what production runs (docs/operations.md), and it can be shut
/// down and started again on the same port and folder.
/// </summary>
public sealed class RedisServer : IAsyncLifetime, IAsyncDisposable
{
    private const int StartAttempts = 3;

    private readonly string _directory = Directory.CreateTempSubdirectory("callcenter-redis-").FullName;
    private readonly StringBuilder _output = new();
    private readonly bool _appendOnly;
    private Process? _process;

    /// <summary>For xUnit fixtures: no persistence; started by <see cref="IAsyncLifetime.InitializeAsync"/>.</summary>
    public RedisServer()
        : this(appendOnly: false)
    {
    }

    private RedisServer(bool appendOnly) => _appendOnly = appendOnly;

    public int Port { get; private set; }

    public string ConnectionString => $"127.0.0.1:{Port},abortConnect=false";

    public bool IsRunning => _process is { HasExited: false };

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

    /// <summary>Starts one; with <paramref name="appendOnly"/>, it persists to an append-only file in its folder.</summary>
    public static async Task<RedisServer> StartAsync(bool appendOnly = false)
    {
        var redis = new RedisServer(appendOnly);
        try
        {
            await redis.StartOnOwnPortAsync();
            return redis;
        }
        catch
        {
            await redis.DisposeAsync();
            throw;
        }
    }

    Task IAsyncLifetime.InitializeAsync() => StartOnOwnPortAsync();

    /// <summary>Starts redis-server on this port and folder again; it loads whatever its append-only file holds.</summary>
    public async Task StartAgainAsync()
    {
        var start = new ProcessStartInfo("redis-server")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in Arguments())
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            _process = Process.Start(start) ?? throw new InvalidOperationException("redis-server did not start");
        }
        catch (System.ComponentModel.Win32Exception exception)
        {
            throw new InvalidOperationException("redis-server is not installed: scripts/test.sh installs it (apt-get install redis-server)", exception);
        }

        var process = _process;
        process.OutputDataReceived += (_, line) => Append(line.Data);
        process.ErrorDataReceived += (_, line) => Append(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await Eventually.HoldsAsync(
            async () =>
            {
                if (process.HasExited)
                {
                    await process.WaitForExitAsync();
                    throw PortAllocator.IsBindFailure(Output)
                        ? new PortTakenException($"redis-server could not bind port {Port}:\n{Output}")
                        : new InvalidOperationException($"redis-server exited with {process.ExitCode}:\n{Output}");
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
            seconds: 30,
            detail: () => Output,
            pollEvery: TimeSpan.FromMilliseconds(50));
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

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    /// <summary>A port from this process's block; another one if something outside the tests took it first.</summary>
    private async Task StartOnOwnPortAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            Port = PortAllocator.Next();
            try
            {
                await StartAgainAsync();
                return;
            }
            catch (PortTakenException) when (attempt < StartAttempts)
            {
                _process?.Dispose();
                _process = null;
            }
        }
    }

    private IEnumerable<string> Arguments()
    {
        string[] common = ["--port", Port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--dir", _directory, "--save", ""];
        return _appendOnly
            ? [.. common, "--appendonly", "yes", "--appendfsync", "everysec"]
            : [.. common, "--appendonly", "no"];
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

/// <summary>A child process could not bind the port it was given: the starter tries another.</summary>
public sealed class PortTakenException(string message) : Exception(message);
