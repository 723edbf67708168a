using System.Threading.Channels;
using CallCenter.Gateway.V1;
using CallCenter.RemoteAgent.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace CallCenter.RemoteAgent.Tests;

/// <summary>A desktop given two gateways (two silos) keeps its session on the second when the first goes away.</summary>
public sealed class GatewayFailoverTests
{
    [Fact]
    public async Task WhenTheFirstGatewayGoesAway_TheStreamReconnectsToTheNext_WithTheSameToken()
    {
        var first = await AgentDeskTestServer.StartAsync();
        await using var second = await AgentDeskTestServer.StartAsync();
        using var channel = RemoteAgentApp.CreateChannel([first.Address, second.Address]);
        var time = new FakeTimeProvider();
        var notices = Channel.CreateUnbounded<DeskNotice>();
        var session = new DeskSession(new AgentDesk.AgentDeskClient(channel), time, new ReconnectPolicy { InitialDelay = TimeSpan.FromSeconds(1), Jitter = 0 });
        session.Notice += notice => notices.Writer.TryWrite(notice);
        using var stop = new CancellationTokenSource();

        await session.LoginAsync("alice", FakeAgentDesk.Secret, CancellationToken.None);
        var events = session.RunEventsAsync((_, _) => Task.CompletedTask, stop.Token);
        var stream = await first.Desk.NextStreamAsync();
        Assert.Equal(1, first.Desk.Logins);

        // The first silo stops: its stream ends, then nothing listens on its address.
        stream.Abort();
        Assert.Equal(DeskNoticeKind.StreamDropped, (await notices.Reader.ReadAsync().AsTask().WaitAsync(TestTimeouts.Signal)).Kind);
        await first.DisposeAsync();
        time.Advance(TimeSpan.FromSeconds(1));

        // gRPC may still be finding out that the first address is gone when the desktop retries: a retry can fail
        // (another drop, another backoff on the fake clock) before pick-first connects to the second gateway.
        var moving = second.Desk.NextStreamAsync();
        var notice = notices.Reader.ReadAsync().AsTask();
        while (await Task.WhenAny(moving, notice) == notice)
        {
            var retry = await notice;
            Assert.Equal(DeskNoticeKind.StreamDropped, retry.Kind);
            time.Advance(retry.RetryIn!.Value);
            notice = notices.Reader.ReadAsync().AsTask();
        }

        var moved = await moving;
        Assert.Equal("Bearer token-1", moved.Authorization);
        Assert.Equal(0, second.Desk.Logins);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => events);
    }
}
