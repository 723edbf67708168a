using System.Net;
using System.Net.Sockets;

namespace CallCenter.TestKit;

/// <summary>
/// Ports for whatever must be told its port before it binds it: child processes (silo, edge, redis-server, SIPp,
/// baresip) and hosts configured with a fixed port. Binding port 0 and releasing it is a race: the kernel hands the same
/// ephemeral port to the next connection or port-0 bind anywhere on the machine. So each test process claims a block of
/// ports of its own (10000-19999), below the kernel's ephemeral range (Linux 32768-60999, IANA 49152-65535), below the
/// ranges Orleans' in-process test clusters pick from (22300 and up) and apart from the RTP ranges the silo and the test
/// edges use (20000-29999 by default, 31000-34999 in the tests), by holding an exclusive lock on the block's file for as
/// long as it runs (the operating system drops the lock when the process ends, even on a crash). The first block tried
/// is keyed by the process id, so test assemblies running at once start apart. Within its block a port is handed out once
/// per cycle and only while nothing holds it for TCP or UDP; starters still retry on a bind failure
/// (<see cref="IsBindFailure"/>) for anything outside the tests that takes one.
/// </summary>
public static class PortAllocator
{
    public const int RangeStart = 10000;
    public const int BlockSize = 250;
    public const int BlockCount = 40;

    private static readonly Lock Gate = new();
    private static readonly Lazy<PortBlock> Claimed = new(ClaimBlock);
    private static int _next;

    /// <summary>The first port of this process's block (the block is <see cref="BlockSize"/> ports long).</summary>
    public static int BlockStart => Claimed.Value.First;

    /// <summary>
    /// A port such that it and the <paramref name="count"/> - 1 ports after it are free for TCP and UDP on 127.0.0.1 and
    /// handed to nobody else in this process; even when <paramref name="count"/> is more than one (RTP takes the even
    /// port of a pair).
    /// </summary>
    public static int Next(int count = 1)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, BlockSize / 4);
        var block = Claimed.Value;
        lock (Gate)
        {
            for (var tried = 0; tried < 2 * BlockSize; tried++)
            {
                var offset = _next;
                if (count > 1 && (block.First + offset) % 2 != 0)
                {
                    offset++;
                }

                if (offset + count > BlockSize)
                {
                    _next = 0;
                    continue;
                }

                _next = (offset + count) % BlockSize;
                var port = block.First + offset;
                if (Enumerable.Range(port, count).All(IsFree))
                {
                    return port;
                }
            }

            throw new InvalidOperationException($"no {count} consecutive free ports left in {block.First}-{block.First + BlockSize - 1}");
        }
    }

    /// <summary>True when nothing holds <paramref name="port"/> on 127.0.0.1 for UDP nor TCP.</summary>
    public static bool IsFree(int port) => CanBind(port, SocketType.Dgram, ProtocolType.Udp) && CanBind(port, SocketType.Stream, ProtocolType.Tcp);

    /// <summary>True when a process holds <paramref name="port"/> on 127.0.0.1 for TCP (a server listens there).</summary>
    public static bool IsTcpBound(int port) => !CanBind(port, SocketType.Stream, ProtocolType.Tcp);

    /// <summary>True when a process holds <paramref name="port"/> on 127.0.0.1 for UDP.</summary>
    public static bool IsUdpBound(int port) => !CanBind(port, SocketType.Dgram, ProtocolType.Udp);

    /// <summary>Whether a process's output says it could not bind its port (Kestrel, Orleans, redis-server, SIPp all say so this way).</summary>
    public static bool IsBindFailure(string output) =>
        output.Contains("address already in use", StringComparison.OrdinalIgnoreCase)
        || output.Contains("Address in use", StringComparison.OrdinalIgnoreCase);

    private static bool CanBind(int port, SocketType type, ProtocolType protocol)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, type, protocol);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static PortBlock ClaimBlock()
    {
        var directory = Path.Combine(Path.GetTempPath(), "callcenter-test-ports");
        Directory.CreateDirectory(directory);
        var keyed = Environment.ProcessId % BlockCount;
        for (var i = 0; i < BlockCount; i++)
        {
            var index = (keyed + i) % BlockCount;
            try
            {
                // FileShare.None takes an exclusive advisory lock: a second test process cannot open it while this one runs.
                var lockFile = new FileStream(Path.Combine(directory, $"block-{index}.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                return new PortBlock(RangeStart + index * BlockSize, lockFile);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
            }
        }

        // More test processes than blocks: share the one keyed by the process id; the free-port check and the starters'
        // retry on a bind failure cover what sharing risks.
        return new PortBlock(RangeStart + keyed * BlockSize, null);
    }

    /// <summary>A claimed block; the open lock file is kept referenced for the life of the process.</summary>
    private sealed record PortBlock(int First, FileStream? LockFile);
}
