using System.Globalization;

namespace CallCenter.Bench;

/// <summary>
/// Datagrams the kernel dropped because a socket's receive buffer was full, per local UDP port, from the
/// <c>drops</c> column of /proc/net/udp (Linux; counted since each socket was opened, so only open sockets show).
/// A SIP socket that drops loses requests and responses: retransmissions then decide whether the call survives.
/// </summary>
internal static class UdpDrops
{
    /// <summary>Drops by local port (sockets bound to the same port summed); empty where /proc/net/udp does not exist.</summary>
    public static Dictionary<int, long> ByPort()
    {
        var drops = new Dictionary<int, long>();
        foreach (var file in new[] { "/proc/net/udp", "/proc/net/udp6" })
        {
            if (!File.Exists(file))
            {
                continue;
            }

            foreach (var line in File.ReadLines(file).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 13)
                {
                    continue;
                }

                var local = fields[1];
                var colon = local.LastIndexOf(':');
                if (colon < 0
                    || !int.TryParse(local[(colon + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var port)
                    || !long.TryParse(fields[^1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var dropped))
                {
                    continue;
                }

                drops[port] = drops.GetValueOrDefault(port) + dropped;
            }
        }

        return drops;
    }

}

/// <summary>Reads <see cref="UdpDrops.ByPort"/> twice a second while it runs (sockets that close take their count with them).</summary>
internal sealed class UdpDropWatch
{
    private readonly Dictionary<int, long> _start = UdpDrops.ByPort();
    private readonly Dictionary<int, long> _highest = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public UdpDropWatch() => _loop = Task.Run(LoopAsync);

    /// <summary>Stops watching; the drops since the start per port.</summary>
    public async Task<Dictionary<int, long>> StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        Read();
        return _highest.ToDictionary(pair => pair.Key, pair => Math.Max(0, pair.Value - _start.GetValueOrDefault(pair.Key)));
    }

    private async Task LoopAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                Read();
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }
    }

    private void Read()
    {
        foreach (var (port, dropped) in UdpDrops.ByPort())
        {
            _highest[port] = Math.Max(_highest.GetValueOrDefault(port), dropped);
        }
    }
}
