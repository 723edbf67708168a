using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using CallCenter.Sip.Media;

namespace CallCenter.EdgeSip.Tests.Peers;

/// <summary>
/// One <c>baresip</c> 1.0.0 (Debian package) with a configuration folder of its own (<c>-f</c>), headless: no console
/// module, stdin closed, its log read from stdout. Audio comes from a WAV (module <c>aufile</c>); what it receives and
/// sends is dumped to WAVs by the <c>sndfile</c> filter (1.0.0's <c>aufile</c> has no player; the player is ALSA's
/// <c>null</c> device, which only paces the decoder). Dispose kills it (no unregistration) and deletes the folder.
/// </summary>
public sealed partial class BaresipProcess : IAsyncDisposable
{
    public const string Executable = "/usr/bin/baresip";
    private const string ModulePath = "/usr/lib/baresip/modules";

    private readonly Process _process;
    private readonly OutputTail _output = new(64 * 1024);
    private readonly object _gate = new();
    private readonly StringBuilder _dtmf = new();
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _ready;
    private bool _registered;
    private string? _registrationError;
    private int _callsEstablished;
    private int _callsClosed;

    private BaresipProcess(BaresipOptions options, Process process, string directory, int sipPort)
    {
        Options = options;
        _process = process;
        Directory = directory;
        SipPort = sipPort;
    }

    public BaresipOptions Options { get; }

    /// <summary>The configuration folder; <c>dump/</c> in it holds the audio WAVs.</summary>
    public string Directory { get; }

    public string DumpDirectory => Path.Combine(Directory, "dump");

    public int SipPort { get; }

    /// <summary>Where baresip listens for SIP (UDP and TCP).</summary>
    public IPEndPoint SipEndPoint => new(IPAddress.Loopback, SipPort);

    /// <summary>The URI to call this phone directly: <c>sip:&lt;user&gt;@127.0.0.1:&lt;port&gt;</c>.</summary>
    public string DirectUri => $"sip:{Options.User}@127.0.0.1:{SipPort};transport={Options.Transport.ToUriParameter()}";

    public int ProcessId => _process.Id;

    /// <summary>
    /// The keys received as RFC 2833/4733 events, in order: one per key, when its first packet arrives (baresip 1.0.0
    /// logs a key's end only when the next key starts, so the last key's end never shows).
    /// </summary>
    public string ReceivedDtmf
    {
        get
        {
            lock (_gate)
            {
                return _dtmf.ToString();
            }
        }
    }

    public int CallsEstablished => Volatile.Read(ref _callsEstablished);

    public int CallsClosed => Volatile.Read(ref _callsClosed);

    /// <summary>baresip's log so far (the end of it), for assertion messages.</summary>
    public string Output => _output.ToString();

    /// <summary>Starts baresip and waits until it says it is ready.</summary>
    public static async Task<BaresipProcess> StartAsync(BaresipOptions options, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException($"{Executable} is missing: install the Debian package baresip (apt-get install baresip)");
        }

        var directory = System.IO.Directory.CreateTempSubdirectory("baresip-").FullName;
        System.IO.Directory.CreateDirectory(Path.Combine(directory, "dump"));
        var source = options.SourceWav ?? Path.Combine(directory, "source.wav");
        if (options.SourceWav is null)
        {
            Wav.WritePcm16File(source, ToneGenerator.Sine(options.ToneFrequency, 30 * ToneGenerator.DefaultSampleRate));
        }

        // baresip also listens for TLS on the SIP port + 1: both are reserved.
        var sipPort = PortAllocator.Next(2);
        int? controlPort = options.Control ? PortAllocator.Next() : null;
        File.WriteAllText(Path.Combine(directory, "config"), Config(directory, source, sipPort, options.Transport) + ControlConfig(controlPort));
        File.WriteAllText(Path.Combine(directory, "accounts"), Account(options) + "\n");

        var start = new ProcessStartInfo(Executable)
        {
            WorkingDirectory = directory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-f");
        start.ArgumentList.Add(directory);
        if (options.Dial is { } uri)
        {
            start.ArgumentList.Add("-e");
            start.ArgumentList.Add($"/dial {uri}");
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("baresip did not start");
        var baresip = new BaresipProcess(options, process, directory, sipPort);
        baresip.ControlPort = controlPort;
        process.OutputDataReceived += (_, line) => baresip.OnLine(line.Data);
        process.ErrorDataReceived += (_, line) => baresip.OnLine(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.StandardInput.Close();
        try
        {
            await baresip.WaitUntilAsync(() => baresip._ready, TimeSpan.FromSeconds(10), "baresip is ready", cancellationToken);
        }
        catch
        {
            await baresip.DisposeAsync();
            throw;
        }

        return baresip;
    }

    /// <summary>Waits for the 200 to its REGISTER; fails at once on a registration error (e.g. an unsupported challenge).</summary>
    public Task WaitForRegistrationAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        WaitUntilAsync(() => _registered || _registrationError is not null, timeout, "registration", cancellationToken)
            .ContinueWith(
                task =>
                {
                    task.GetAwaiter().GetResult();
                    if (_registrationError is { } error)
                    {
                        throw new InvalidOperationException($"baresip registration failed: {error}\n{Output}");
                    }
                },
                cancellationToken,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);

    /// <summary>Waits until <paramref name="count"/> calls have been established.</summary>
    public Task WaitForCallsEstablishedAsync(int count, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        WaitUntilAsync(() => CallsEstablished >= count, timeout, $"{count} call(s) established", cancellationToken);

    /// <summary>Waits until <paramref name="count"/> calls have ended (their WAV dumps are then complete).</summary>
    public Task WaitForCallsClosedAsync(int count, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        WaitUntilAsync(() => CallsClosed >= count, timeout, $"{count} call(s) closed", cancellationToken);

    /// <summary>The WAV of what baresip received (decoded) in its latest call; null before any call.</summary>
    public string? ReceivedAudioPath => Latest("*-dec.wav");

    /// <summary>The WAV of what baresip sent in its latest call; null before any call.</summary>
    public string? SentAudioPath => Latest("*-enc.wav");

    /// <summary>
    /// Quits as after Ctrl-C (SIGINT): baresip 1.0.0 hangs up its calls (a BYE each), unregisters and exits. Awaits
    /// the exit, killing it past <paramref name="timeout"/> (default 10 s). The WAV dumps are complete afterwards.
    /// </summary>
    public async Task QuitAsync(TimeSpan? timeout = null)
    {
        if (_process.HasExited)
        {
            return;
        }

        using (var interrupt = Process.Start(new ProcessStartInfo("kill", ["-INT", _process.Id.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false }))
        {
            if (interrupt is not null)
            {
                await interrupt.WaitForExitAsync();
            }
        }

        using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        try
        {
            await _process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            throw new TimeoutException($"baresip did not quit on SIGINT\n{Output}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                _process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Left behind in the temporary folder.
        }
    }

    private static string Config(string directory, string source, int sipPort, SipTransport transport) =>
        string.Join('\n',
            "poll_method epoll",
            $"sip_listen 127.0.0.1:{sipPort.ToString(CultureInfo.InvariantCulture)}",
            $"sip_trans_def {transport.ToUriParameter()}",
            "net_interface 127.0.0.1",
            $"audio_source aufile,{source}",
            "audio_player alsa,null",
            "audio_alert aufile,/dev/null",
            "ausrc_srate 8000",
            "auplay_srate 8000",
            "ausrc_channels 1",
            "auplay_channels 1",
            "rtp_timeout 0",
            $"module_path {ModulePath}",
            "module g711.so",
            "module aufile.so",
            "module alsa.so",
            "module sndfile.so",
            "module account.so",
            "module_app menu.so",
            $"snd_path {Path.Combine(directory, "dump")}",
            string.Empty);

    private static string Account(BaresipOptions options)
    {
        var account = new StringBuilder($"<sip:{options.User}@127.0.0.1>");
        if (options.Password is { } password)
        {
            account.Append(CultureInfo.InvariantCulture, $";auth_pass={password}");
        }

        if (options.Registrar is { } registrar)
        {
            account.Append(CultureInfo.InvariantCulture, $";outbound=\"sip:{registrar.Address}:{registrar.Port};transport={options.Transport.ToUriParameter()}\";regint=300");
        }
        else
        {
            account.Append(";regint=0");
        }

        account.Append(options.AutoAnswer ? ";answermode=auto" : ";answermode=manual");
        account.Append(CultureInfo.InvariantCulture, $";audio_codecs={options.AudioCodecs}");
        return account.ToString();
    }

    private void OnLine(string? raw)
    {
        if (raw is null)
        {
            return;
        }

        var line = AnsiEscape().Replace(raw, string.Empty);
        if (line.StartsWith('[') && line.Contains("audio=", StringComparison.Ordinal))
        {
            return; // the status line, several times a second during a call
        }

        _output.AppendLine(line);
        lock (_gate)
        {
            if (line.Contains("baresip is ready.", StringComparison.Ordinal))
            {
                _ready = true;
            }
            else if (Registered().IsMatch(line))
            {
                _registered = true;
            }
            else if (RegistrationFailed().Match(line) is { Success: true } failure)
            {
                _registrationError ??= failure.Value;
            }
            else if (line.Contains("Call established", StringComparison.Ordinal))
            {
                _callsEstablished++;
            }
            else if (line.Contains(" terminated (duration", StringComparison.Ordinal))
            {
                _callsClosed++;
            }
            else if (DtmfStart().Match(line) is { Success: true } key)
            {
                _dtmf.Append(key.Groups[1].Value);
            }
            else
            {
                return;
            }

            _changed.TrySetResult();
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    private async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout, string what, CancellationToken cancellationToken)
    {
        var limit = Stopwatch.StartNew();
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (condition())
                {
                    return;
                }

                changed = _changed.Task;
            }

            var left = timeout - limit.Elapsed;
            if (left <= TimeSpan.Zero || _process.HasExited)
            {
                throw new TimeoutException($"baresip: no {what} after {limit.Elapsed.TotalSeconds:F1} s{(_process.HasExited ? " (it exited)" : string.Empty)}\n{Output}");
            }

            // Wakes on every event line, and at least every 200 ms to notice an exit.
            await Task.WhenAny(changed, Task.Delay(left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200), cancellationToken));
            cancellationToken.ThrowIfCancellationRequested();
        }
    }

    private string? Latest(string pattern) =>
        new DirectoryInfo(DumpDirectory).GetFiles(pattern).OrderBy(file => file.LastWriteTimeUtc).ThenBy(file => file.Name, StringComparer.Ordinal).LastOrDefault()?.FullName;

    [GeneratedRegex(@"\x1b\[[0-9;]*m")]
    private static partial Regex AnsiEscape();

    // "agent1@127.0.0.1: {0/UDP/v4} 200 OK () [1 binding]"
    [GeneratedRegex(@"\{\d+/(UDP|TCP)/v[46]\} 2\d\d ")]
    private static partial Regex Registered();

    // "reg: sip:agent1@127.0.0.1: Register: Function not implemented", or a final error response to the REGISTER.
    [GeneratedRegex(@"(Register: .*|\{\d+/(UDP|TCP)/v[46]\} [3-6]\d\d .*)")]
    private static partial Regex RegistrationFailed();

    // "received event: '1' (end=0)": the start of a key (its retransmitted end packets are dropped as duplicates).
    [GeneratedRegex(@"received event: '(.)' \(end=0\)")]
    private static partial Regex DtmfStart();
}
