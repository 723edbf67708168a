using CallCenter.Model;

namespace CallCenter.Domain.Metrics;

/// <summary>
/// A queue's figures per site: counts since the queue started, and a sliding 15-minute window (one bucket a minute)
/// for the service level the routing view shows.
/// </summary>
public sealed class QueueStatistics(double thresholdSeconds)
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    private readonly Dictionary<string, SiteFigures> _sites = new(StringComparer.Ordinal);

    public double ThresholdSeconds { get; set; } = thresholdSeconds;

    public void Offered(string siteId) => For(siteId).Totals.Offered++;

    public void Answered(string siteId, double waitSeconds, DateTimeOffset now)
    {
        var within = waitSeconds <= ThresholdSeconds;
        var site = For(siteId);
        site.Totals.RecordAnswer(waitSeconds, within);
        site.BucketAt(now).RecordAnswer(waitSeconds, within);
    }

    public void Abandoned(string siteId, double waitSeconds, DateTimeOffset now)
    {
        var afterThreshold = waitSeconds > ThresholdSeconds;
        var site = For(siteId);
        site.Totals.RecordAbandon(afterThreshold);
        site.BucketAt(now).RecordAbandon(afterThreshold);
    }

    public void Overflowed(string siteId) => For(siteId).Totals.Overflowed++;

    public void Handled(string siteId, double talkSeconds, double wrapUpSeconds)
    {
        var totals = For(siteId).Totals;
        totals.Handled++;
        totals.HandleSeconds += talkSeconds + wrapUpSeconds;
    }

    public IEnumerable<string> Sites => _sites.Keys;

    /// <summary>Answered within threshold over answered, last 15 minutes, for one site (or all when null).</summary>
    public double? RecentServiceLevel(string? siteId, DateTimeOffset now)
    {
        var sum = new Figures();
        foreach (var (id, site) in _sites)
        {
            if (siteId is null || id == siteId)
            {
                site.AddRecent(sum, now);
            }
        }

        return sum.Answered == 0 ? null : (double)sum.AnsweredWithin / sum.Answered;
    }

    public QueueMetrics Metrics(string queueId, string? siteId, int waiting, double longestWait)
    {
        var sum = new Figures();
        foreach (var (id, site) in _sites)
        {
            if (siteId is null || id == siteId)
            {
                sum.Add(site.Totals);
            }
        }

        return new QueueMetrics
        {
            QueueId = queueId,
            SiteId = siteId,
            Offered = sum.Offered,
            Answered = sum.Answered,
            Abandoned = sum.Abandoned,
            Overflowed = sum.Overflowed,
            ServiceLevel = sum.Answered == 0 ? null : (double)sum.AnsweredWithin / sum.Answered,
            ServiceLevelWithAbandons = sum.Answered + sum.AbandonedAfterThreshold == 0
                ? null
                : (double)sum.AnsweredWithin / (sum.Answered + sum.AbandonedAfterThreshold),
            AverageSpeedOfAnswerSeconds = sum.Answered == 0 ? null : sum.AnswerWaitSeconds / sum.Answered,
            AverageHandleTimeSeconds = sum.Handled == 0 ? null : sum.HandleSeconds / sum.Handled,
            LongestWaitSeconds = longestWait,
            Waiting = waiting,
        };
    }

    private SiteFigures For(string siteId)
    {
        if (!_sites.TryGetValue(siteId, out var site))
        {
            site = new SiteFigures();
            _sites[siteId] = site;
        }

        return site;
    }

    private sealed class Figures
    {
        public int Offered;
        public int Answered;
        public int AnsweredWithin;
        public int Abandoned;
        public int AbandonedAfterThreshold;
        public int Overflowed;
        public int Handled;
        public double AnswerWaitSeconds;
        public double HandleSeconds;

        public void RecordAnswer(double waitSeconds, bool within)
        {
            Answered++;
            AnswerWaitSeconds += waitSeconds;
            if (within)
            {
                AnsweredWithin++;
            }
        }

        public void RecordAbandon(bool afterThreshold)
        {
            Abandoned++;
            if (afterThreshold)
            {
                AbandonedAfterThreshold++;
            }
        }

        public void Add(Figures other)
        {
            Offered += other.Offered;
            Answered += other.Answered;
            AnsweredWithin += other.AnsweredWithin;
            Abandoned += other.Abandoned;
            AbandonedAfterThreshold += other.AbandonedAfterThreshold;
            Overflowed += other.Overflowed;
            Handled += other.Handled;
            AnswerWaitSeconds += other.AnswerWaitSeconds;
            HandleSeconds += other.HandleSeconds;
        }
    }

    private sealed class SiteFigures
    {
        private readonly Dictionary<long, Figures> _buckets = [];

        public Figures Totals { get; } = new();

        public Figures BucketAt(DateTimeOffset now)
        {
            var minute = now.ToUnixTimeSeconds() / 60;
            if (!_buckets.TryGetValue(minute, out var bucket))
            {
                bucket = new Figures();
                _buckets[minute] = bucket;
                var oldest = minute - (long)Window.TotalMinutes;
                foreach (var stale in _buckets.Keys.Where(key => key < oldest).ToList())
                {
                    _buckets.Remove(stale);
                }
            }

            return bucket;
        }

        public void AddRecent(Figures sum, DateTimeOffset now)
        {
            var oldest = (now.ToUnixTimeSeconds() / 60) - (long)Window.TotalMinutes;
            foreach (var (minute, bucket) in _buckets)
            {
                if (minute > oldest)
                {
                    sum.Add(bucket);
                }
            }
        }
    }
}
