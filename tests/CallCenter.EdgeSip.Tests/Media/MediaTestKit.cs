using System.Net;
using System.Net.Sockets;
using CallCenter.EdgeSip.Media;
using CallCenter.Sip.Media;

namespace CallCenter.EdgeSip.Tests.Media;

/// <summary>Shared pieces of the media tests: a port pool on loopback, the safety-net timeout and frame helpers.</summary>
internal static class MediaTestKit
{
    /// <summary>Only a safety net for awaited signals; a passing test never waits for it.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    public static readonly TimeSpan Frame = MediaClock.FrameDuration;

    public static RtpPortPool Pool { get; } = new(IPAddress.Loopback, 41000, 41999);

    public static Task<T> Within<T>(this Task<T> task) => task.WaitAsync(Timeout);

    public static Task Within(this Task task) => task.WaitAsync(Timeout);

    /// <summary>Advances the fake time one frame at a time, ticking the clock <paramref name="frames"/> times.</summary>
    public static void AdvanceFrames(this Microsoft.Extensions.Time.Testing.FakeTimeProvider time, int frames)
    {
        for (int i = 0; i < frames; i++)
        {
            time.Advance(Frame);
        }
    }

    /// <summary>Frame <paramref name="index"/> (160 samples) of a continuous sine.</summary>
    public static short[] ToneFrame(double hz, int index, double amplitude = 8000)
    {
        short[] all = ToneGenerator.Sine(hz, (index + 1) * MediaClock.SamplesPerFrame, amplitude);
        return all[(index * MediaClock.SamplesPerFrame)..];
    }

    public static byte[] Encode(AudioCodec codec, short[] samples)
    {
        var payload = new byte[samples.Length];
        AudioCodecs.Encode(codec, samples, payload);
        return payload;
    }

    public static short[] Decode(int payloadType, byte[] payload)
    {
        var samples = new short[payload.Length];
        AudioCodecs.Decode((AudioCodec)payloadType, payload, samples);
        return samples;
    }

    /// <summary>What an endpoint sends for <paramref name="samples"/>: the G.711 round trip.</summary>
    public static short[] RoundTrip(AudioCodec codec, short[] samples) => Decode((int)codec, Encode(codec, samples));

    public static short[] Concat(IEnumerable<short[]> frames) => frames.SelectMany(frame => frame).ToArray();
}

/// <summary>A bare UDP socket standing in for a phone: sends hand-made RTP and keeps every RTP packet it receives.</summary>
internal sealed class RawPhone : IAsyncDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly Lock _lock = new();
    private readonly List<RtpPacket> _packets = [];
    private readonly List<(int Count, TaskCompletionSource<IReadOnlyList<RtpPacket>> Signal)> _waiters = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private ushort _sequence = 1000;
    private uint _timestamp = 50_000;

    public RawPhone(uint ssrc = 0x1234_5678)
    {
        Ssrc = ssrc;
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        EndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        _loop = Task.Run(ReceiveAsync);
    }

    public IPEndPoint EndPoint { get; }

    public uint Ssrc { get; }

    public IReadOnlyList<RtpPacket> Packets
    {
        get
        {
            lock (_lock)
            {
                return [.. _packets];
            }
        }
    }

    /// <summary>Completes with the first <paramref name="count"/> packets once that many have arrived.</summary>
    public Task<IReadOnlyList<RtpPacket>> WaitForPacketsAsync(int count)
    {
        lock (_lock)
        {
            if (_packets.Count >= count)
            {
                return Task.FromResult<IReadOnlyList<RtpPacket>>(_packets.Take(count).ToList());
            }

            var signal = new TaskCompletionSource<IReadOnlyList<RtpPacket>>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, signal));
            return signal.Task.Within();
        }
    }

    public void Send(RtpPacket packet, IPEndPoint to) => _socket.SendTo(packet.ToBytes(), to);

    /// <summary>Sends one 20 ms audio frame with this phone's running sequence number and timestamp.</summary>
    public void SendAudio(AudioCodec codec, short[] frame, IPEndPoint to, bool marker = false)
    {
        Send(new RtpPacket
        {
            Marker = marker,
            PayloadType = (int)codec,
            SequenceNumber = _sequence++,
            Timestamp = _timestamp,
            Ssrc = Ssrc,
            Payload = MediaTestKit.Encode(codec, frame),
        }, to);
        _timestamp += (uint)frame.Length;
    }

    /// <summary>Sends the RFC 4733 packets of one digit starting at the phone's current timestamp.</summary>
    public IReadOnlyList<RtpPacket> SendDigit(char digit, IPEndPoint to, int payloadType = 101)
    {
        var sender = new TelephoneEventSender(payloadType, Ssrc, _sequence);
        IReadOnlyList<RtpPacket> packets = sender.CreateDigit(digit, _timestamp);
        foreach (RtpPacket packet in packets)
        {
            Send(packet, to);
        }

        _sequence = sender.NextSequenceNumber;
        _timestamp += 800 + 320;
        return packets;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Dispose();
        try
        {
            await _loop;
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        _stop.Dispose();
    }

    private async Task ReceiveAsync()
    {
        var buffer = new byte[2048];
        EndPoint any = new IPEndPoint(IPAddress.Any, 0);
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult result = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, any, _stop.Token);
            if (!RtpPacket.TryParse(buffer.AsSpan(0, result.ReceivedBytes), out RtpPacket? packet))
            {
                continue;
            }

            lock (_lock)
            {
                _packets.Add(packet);
                for (int i = _waiters.Count - 1; i >= 0; i--)
                {
                    if (_packets.Count >= _waiters[i].Count)
                    {
                        _waiters[i].Signal.TrySetResult(_packets.Take(_waiters[i].Count).ToList());
                        _waiters.RemoveAt(i);
                    }
                }
            }
        }
    }
}

/// <summary>Collects what an endpoint raises: decoded audio and digits, with awaitable thresholds.</summary>
internal sealed class EndpointListener
{
    private readonly Lock _lock = new();
    private readonly List<short> _samples = [];
    private readonly List<char> _digits = [];
    private readonly List<(Func<bool> Done, TaskCompletionSource Signal)> _waiters = [];

    private int _handled;

    public EndpointListener(RtpEndpoint endpoint)
    {
        endpoint.DatagramHandled += () =>
        {
            lock (_lock)
            {
                _handled++;
                Check();
            }
        };
        endpoint.AudioReceived += frame =>
        {
            lock (_lock)
            {
                _samples.AddRange(frame.Samples.Span);
                Check();
            }
        };
        endpoint.DtmfReceived += digit =>
        {
            lock (_lock)
            {
                _digits.Add(digit);
                Check();
            }
        };
    }

    public short[] Samples
    {
        get
        {
            lock (_lock)
            {
                return [.. _samples];
            }
        }
    }

    public string Digits
    {
        get
        {
            lock (_lock)
            {
                return new string([.. _digits]);
            }
        }
    }

    public Task WaitForSamplesAsync(int count) => WaitAsync(() => _samples.Count >= count);

    public Task WaitForDigitAsync(char digit) => WaitAsync(() => _digits.Contains(digit));

    /// <summary>Completes once <paramref name="count"/> datagrams have been fully handled by the endpoint (and its bridge).</summary>
    public Task WaitForHandledAsync(int count) => WaitAsync(() => _handled >= count);

    private Task WaitAsync(Func<bool> done)
    {
        lock (_lock)
        {
            if (done())
            {
                return Task.CompletedTask;
            }

            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((done, signal));
            return signal.Task.Within();
        }
    }

    private void Check()
    {
        for (int i = _waiters.Count - 1; i >= 0; i--)
        {
            if (_waiters[i].Done())
            {
                _waiters[i].Signal.TrySetResult();
                _waiters.RemoveAt(i);
            }
        }
    }
}
