using System.Threading.Channels;
using CallCenter.WebRtc.Dtls;
using Microsoft.Extensions.Time.Testing;

namespace CallCenter.WebRtc.Tests.Dtls;

/// <summary>One direction of an in-memory datagram path: what one session sends, a pump delivers to the other.</summary>
internal sealed class LinkDirection : IDtlsDatagramSender
{
    private readonly Channel<byte[]> _datagrams = Channel.CreateUnbounded<byte[]>();
    private int _sent;

    /// <summary>Decides, by send index and content, which datagrams the path loses.</summary>
    public Func<int, byte[], bool> Drop { get; set; } = (_, _) => false;

    /// <summary>Runs before each datagram is delivered (the fuzz test injects garbage here).</summary>
    public Action<DtlsSrtpSession>? BeforeDelivery { get; set; }

    public int Dropped { get; private set; }

    public void SendDatagram(ReadOnlySpan<byte> datagram)
    {
        var copy = datagram.ToArray();
        if (Drop(Interlocked.Increment(ref _sent) - 1, copy))
        {
            Dropped++;
            return;
        }

        _datagrams.Writer.TryWrite(copy);
    }

    public Task PumpTo(DtlsSrtpSession target) => Task.Run(async () =>
    {
        await foreach (var datagram in _datagrams.Reader.ReadAllAsync())
        {
            BeforeDelivery?.Invoke(target);
            target.DeliverDatagram(datagram);
        }
    });

    public void Complete() => _datagrams.Writer.TryComplete();
}

/// <summary>A server and a client session joined by two in-memory directions.</summary>
internal sealed class DtlsPair : IAsyncDisposable
{
    private readonly Task _toServerPump;
    private readonly Task _toClientPump;

    public DtlsPair(
        Func<DtlsSrtpOptions, DtlsSrtpOptions>? server = null,
        Func<DtlsSrtpOptions, DtlsSrtpOptions>? client = null,
        Action<DtlsPair>? configure = null)
    {
        ServerCertificate = DtlsCertificate.CreateSelfSigned(Time);
        ClientCertificate = DtlsCertificate.CreateSelfSigned(Time);
        var serverOptions = new DtlsSrtpOptions
        {
            Role = DtlsRole.Server,
            LocalCertificate = ServerCertificate,
            RemoteFingerprints = [ClientCertificate.Fingerprint],
            InitialRetransmitTimeout = TimeSpan.FromMilliseconds(100),
        };
        var clientOptions = serverOptions with
        {
            Role = DtlsRole.Client,
            LocalCertificate = ClientCertificate,
            RemoteFingerprints = [ServerCertificate.Fingerprint],
        };
        Server = new DtlsSrtpSession(server?.Invoke(serverOptions) ?? serverOptions, ToClient, Time);
        Client = new DtlsSrtpSession(client?.Invoke(clientOptions) ?? clientOptions, ToServer, Time);
        configure?.Invoke(this);
        _toServerPump = ToServer.PumpTo(Server);
        _toClientPump = ToClient.PumpTo(Client);
    }

    public FakeTimeProvider Time { get; } = new();

    public DtlsCertificate ServerCertificate { get; }

    public DtlsCertificate ClientCertificate { get; }

    public LinkDirection ToServer { get; } = new();

    public LinkDirection ToClient { get; } = new();

    public DtlsSrtpSession Server { get; }

    public DtlsSrtpSession Client { get; }

    public async Task<(DtlsHandshakeResult Server, DtlsHandshakeResult Client)> HandshakeAsync()
    {
        var server = Server.HandshakeAsync();
        var client = Client.HandshakeAsync();
        return (await Bounded.Within(server, "the server's handshake"), await Bounded.Within(client, "the client's handshake"));
    }

    /// <summary>Stops the pumps and rethrows anything a delivery threw (our class must throw nothing).</summary>
    public async ValueTask DisposeAsync()
    {
        ToServer.Complete();
        ToClient.Complete();
        await Bounded.Within(Task.WhenAll(_toServerPump, _toClientPump), "the link pumps to drain");
        Server.Dispose();
        Client.Dispose();
    }
}

internal static class Bounded
{
    /// <summary>A bound on a wait, so a broken handshake fails the test instead of hanging it; not a timing assertion.</summary>
    public static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    public static async Task<T> Within<T>(Task<T> task, string what)
    {
        try
        {
            return await task.WaitAsync(Limit);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Waited {Limit} for {what}; it did not finish.");
        }
    }

    public static async Task Within(Task task, string what)
    {
        try
        {
            await task.WaitAsync(Limit);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Waited {Limit} for {what}; it did not finish.");
        }
    }
}
