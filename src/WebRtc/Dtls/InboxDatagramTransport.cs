using System.Collections.Concurrent;
using Org.BouncyCastle.Tls;

namespace CallCenter.WebRtc.Dtls;

/// <summary>Raised inside BouncyCastle's blocking receive when the session is aborted (timeout, cancel, close).</summary>
internal sealed class DtlsTransportAbortedException() : IOException("The DTLS session was aborted.");

internal sealed class DtlsSendFailedException(Exception inner) : IOException("The datagram sender failed: " + inner.Message, inner);

/// <summary>
/// BouncyCastle's DatagramTransport over datagrams the caller hands in (it owns the shared UDP port and demultiplexes)
/// and a sender the caller provides. No socket here.
/// </summary>
internal sealed class InboxDatagramTransport(IDtlsDatagramSender sender, int capacity, int sendLimit) : DatagramTransport
{
    private readonly ConcurrentQueue<byte[]> _inbox = new();
    private readonly SemaphoreSlim _available = new(0);
    private readonly CancellationTokenSource _aborted = new();
    private int _queued;

    /// <summary>After the handshake, receives never wait: the drain runs on the delivering thread.</summary>
    public volatile bool NonBlocking;

    public bool ClosedByTls { get; private set; }

    public bool HasPending => Volatile.Read(ref _queued) > 0;

    public bool TryEnqueue(byte[] datagram)
    {
        if (Interlocked.Increment(ref _queued) > capacity)
        {
            Interlocked.Decrement(ref _queued);
            return false;
        }

        _inbox.Enqueue(datagram);
        _available.Release();
        return true;
    }

    public void Abort()
    {
        if (!_aborted.IsCancellationRequested)
        {
            _aborted.Cancel();
        }
    }

    public int GetReceiveLimit() => DtlsRecordInspector.MaxDatagramLength;

    public int GetSendLimit() => sendLimit;

    public int Receive(byte[] buf, int off, int len, int waitMillis) => Receive(buf.AsSpan(off, len), waitMillis);

    public int Receive(Span<byte> buffer, int waitMillis)
    {
        if (!WaitForDatagram(waitMillis) || !_inbox.TryDequeue(out var datagram))
        {
            return -1;
        }

        Interlocked.Decrement(ref _queued);
        if (datagram.Length > buffer.Length)
        {
            return -1;
        }

        datagram.CopyTo(buffer);
        return datagram.Length;
    }

    public void Send(byte[] buf, int off, int len) => Send(buf.AsSpan(off, len));

    public void Send(ReadOnlySpan<byte> buffer)
    {
        if (_aborted.IsCancellationRequested)
        {
            return;
        }

        try
        {
            sender.SendDatagram(buffer);
        }
        catch (Exception e)
        {
            throw new DtlsSendFailedException(e);
        }
    }

    public void Close() => ClosedByTls = true;

    private bool WaitForDatagram(int waitMillis)
    {
        if (_aborted.IsCancellationRequested)
        {
            throw new DtlsTransportAbortedException();
        }

        if (NonBlocking)
        {
            return _available.Wait(0);
        }

        try
        {
            // BouncyCastle's API is synchronous: this blocks the handshake's own thread, bounded by its retransmit timer.
            return _available.Wait(waitMillis == 0 ? Timeout.Infinite : waitMillis, _aborted.Token);
        }
        catch (OperationCanceledException)
        {
            throw new DtlsTransportAbortedException();
        }
    }
}
