using CallCenter.Sip.Media;
using Microsoft.Extensions.Time.Testing;

namespace CallCenter.Sip.Tests.Media;

public sealed class RtpReceiveStatisticsTests
{
    [Fact]
    public void Record_TwoLostPackets_CountsLossAndFraction()
    {
        var stats = new RtpReceiveStatistics();
        foreach (int sequence in new[] { 1, 2, 3, 5, 6, 8, 9, 10 })
        {
            stats.Record((ushort)sequence, (uint)(sequence * 160), (uint)(sequence * 160));
        }

        Assert.Equal(10u, stats.Expected);
        Assert.Equal(8u, stats.Received);
        Assert.Equal(2, stats.CumulativeLost);
        Assert.Equal(10u, stats.ExtendedHighestSequence);
        RtcpReportBlock block = stats.CreateReportBlock();
        Assert.Equal((2 << 8) / 10, block.FractionLost);
        Assert.Equal(2, block.CumulativeLost);
        Assert.Equal(10u, block.ExtendedHighestSequence);
    }

    [Fact]
    public void CreateReportBlock_SecondInterval_CoversOnlyNewPackets()
    {
        var stats = new RtpReceiveStatistics();
        for (int sequence = 1; sequence <= 10; sequence++)
        {
            stats.Record((ushort)sequence, 0, 0);
        }

        Assert.Equal(0, stats.CreateReportBlock().FractionLost);
        foreach (int sequence in new[] { 11, 12, 14, 15 })
        {
            stats.Record((ushort)sequence, 0, 0);
        }

        RtcpReportBlock block = stats.CreateReportBlock();
        Assert.Equal(256 / 5, block.FractionLost);
        Assert.Equal(1, block.CumulativeLost);
    }

    [Fact]
    public void Record_SequenceWrap_ExtendsHighestSequence()
    {
        var stats = new RtpReceiveStatistics();
        foreach (int sequence in new[] { 65533, 65534, 65535, 0, 1 })
        {
            Assert.Equal(sequence != 65533, stats.Record((ushort)sequence, 0, 0));
        }

        Assert.Equal(65536u + 1, stats.ExtendedHighestSequence);
        Assert.Equal(5u, stats.Expected);
        Assert.Equal(0, stats.CumulativeLost);
    }

    [Fact]
    public void Record_ReorderedAndDuplicatePackets_KeepMaximumAndCountDuplicates()
    {
        var stats = new RtpReceiveStatistics();
        foreach (int sequence in new[] { 1, 2, 3, 5, 4, 6, 6 })
        {
            stats.Record((ushort)sequence, 0, 0);
        }

        Assert.Equal(6u, stats.ExtendedHighestSequence);
        Assert.Equal(7u, stats.Received);
        Assert.Equal(-1, stats.CumulativeLost);
    }

    [Fact]
    public void Record_LargeJump_ResyncsAfterTwoSequentialPackets()
    {
        var stats = new RtpReceiveStatistics();
        for (int sequence = 1; sequence <= 5; sequence++)
        {
            stats.Record((ushort)sequence, 0, 0);
        }

        Assert.False(stats.Record(20000, 0, 0));
        Assert.True(stats.Record(20001, 0, 0));
        Assert.True(stats.Record(20002, 0, 0));

        Assert.Equal(20002u, stats.ExtendedHighestSequence);
        Assert.Equal(2u, stats.Expected);
        Assert.Equal(0, stats.CumulativeLost);
    }

    [Fact]
    public void Record_FirstPacket_IsOnProbation()
    {
        var stats = new RtpReceiveStatistics();

        Assert.False(stats.Record(100, 0, 0, ssrc: 5));

        Assert.False(stats.IsValid);
        Assert.Equal(0u, stats.Expected);
        Assert.Equal(5u, stats.Ssrc);
        Assert.True(stats.Record(101, 160, 160));
        Assert.True(stats.IsValid);
    }

    [Fact]
    public void Jitter_CraftedArrivals_FollowsRfc3550A8()
    {
        var stats = new RtpReceiveStatistics();
        // Packet 1 is on probation. Transit times from packet 2: 1000, 1010, 1000, 1000.
        stats.Record(1, 0, 1000);
        stats.Record(2, 160, 1160);
        stats.Record(3, 320, 1330);
        stats.Record(4, 480, 1480);
        stats.Record(5, 640, 1640);

        // Scaled J: 0 → 10 → 19 → 18, reported as J >> 4.
        Assert.Equal(1u, stats.Jitter);
    }

    [Fact]
    public void Jitter_AlternatingDelay_MatchesFloatingPointFormula()
    {
        var stats = new RtpReceiveStatistics();
        double expected = 0;
        int previousTransit = 0;
        for (int i = 0; i < 200; i++)
        {
            uint timestamp = (uint)(i * 160);
            int delay = i % 2 == 0 ? 0 : 80;
            stats.Record((ushort)(i + 1), timestamp, timestamp + (uint)delay + 5000);
            if (i >= 2)
            {
                expected += (Math.Abs(delay - previousTransit) - expected) / 16;
            }

            previousTransit = delay;
        }

        // Converges to 80: the integer form stays within a couple of units of the real-valued one.
        Assert.InRange(stats.Jitter, expected - 2, expected + 1);
        Assert.InRange(stats.Jitter, 77u, 80u);
    }

    [Fact]
    public void Record_WithTimeProvider_SteadyArrivalsHaveZeroJitterAndDlsrFromClock()
    {
        var time = new FakeTimeProvider();
        var stats = new RtpReceiveStatistics(8000, time);
        for (int i = 0; i < 50; i++)
        {
            stats.Record(new RtpPacket { SequenceNumber = (ushort)(1000 + i), Timestamp = (uint)(90000 + (i * 160)), Ssrc = 77 });
            time.Advance(TimeSpan.FromMilliseconds(20));
        }

        stats.RecordSenderReport(0x0000_1234_5678_0000);
        time.Advance(TimeSpan.FromMilliseconds(1500));
        RtcpReportBlock block = stats.CreateReportBlock();

        Assert.Equal(0u, block.Jitter);
        Assert.Equal(77u, block.Ssrc);
        Assert.Equal(0x12345678u, block.LastSenderReport);
        Assert.Equal(98304u, block.DelaySinceLastSenderReport);
        Assert.Equal(50u, stats.Received);
    }
}
