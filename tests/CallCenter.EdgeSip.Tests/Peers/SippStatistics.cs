using System.Globalization;

namespace CallCenter.EdgeSip.Tests.Peers;

/// <summary>Reads SIPp's <c>-trace_stat</c> file: a ';'-separated header line, then one line per dump (the last is the final one).</summary>
public static class SippStatistics
{
    public static (long Successful, long Failed, IReadOnlyDictionary<string, long> FailureCounters) ReadFinal(string path)
    {
        var counters = new Dictionary<string, long>();
        if (!File.Exists(path))
        {
            return (0, 0, counters);
        }

        var lines = File.ReadAllLines(path).Where(line => line.Length > 0).ToList();
        if (lines.Count < 2)
        {
            return (0, 0, counters);
        }

        var header = lines[0].Split(';');
        var values = lines[^1].Split(';');
        long successful = 0;
        long failed = 0;
        for (var i = 0; i < Math.Min(header.Length, values.Length); i++)
        {
            if (!header[i].EndsWith("(C)", StringComparison.Ordinal) || !long.TryParse(values[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
            {
                continue;
            }

            var name = header[i][..^3];
            if (name == "SuccessfulCall")
            {
                successful = value;
            }
            else if (name == "FailedCall")
            {
                failed = value;
            }
            else if (name.StartsWith("Failed", StringComparison.Ordinal) && value != 0)
            {
                counters[name] = value;
            }
        }

        return (successful, failed, counters);
    }
}
