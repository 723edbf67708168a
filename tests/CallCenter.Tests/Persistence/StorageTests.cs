using CallCenter.Grains.Persistence;
using CallCenter.Model;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;

namespace CallCenter.Tests.Persistence;

public sealed class StorageTests
{
    private static readonly Serializer Serializer = new ServiceCollection()
        .AddSerializer(builder => builder.AddAssembly(typeof(CallSnapshot).Assembly))
        .BuildServiceProvider()
        .GetRequiredService<Serializer>();

    private static readonly GrainId Grain = GrainId.Create("queue", "q1");

    [Fact]
    public async Task Write_ThenRead_GivesACopyWithTheSameValues()
    {
        var storage = new LocalMemoryGrainStorage("s", new MemoryStateStore(), Serializer);
        var written = new GrainState<SiteDefinition>(new SiteDefinition { Id = "north", Name = "North" });
        await storage.WriteStateAsync("site", Grain, written);

        var read = new GrainState<SiteDefinition>(new SiteDefinition { Id = "", Name = "" });
        await storage.ReadStateAsync("site", Grain, read);

        Assert.True(read.RecordExists);
        Assert.Equal(written.State, read.State);
        Assert.NotSame(written.State, read.State);
        Assert.Equal(written.ETag, read.ETag);
    }

    [Fact]
    public async Task Write_WithAStaleETag_IsRefusedAndKeepsTheStoredState()
    {
        var store = new MemoryStateStore();
        var storage = new LocalMemoryGrainStorage("s", store, Serializer);
        var first = new GrainState<SiteDefinition>(new SiteDefinition { Id = "a", Name = "First" });
        var second = new GrainState<SiteDefinition>(new SiteDefinition { Id = "a", Name = "Second" });
        await storage.WriteStateAsync("site", Grain, first);
        await storage.ReadStateAsync("site", Grain, second);
        await storage.WriteStateAsync("site", Grain, first);

        second.State = second.State! with { Name = "Lost update" };
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("site", Grain, second));

        var read = new GrainState<SiteDefinition>(new SiteDefinition { Id = "", Name = "" });
        await new LocalMemoryGrainStorage("s", store, Serializer).ReadStateAsync("site", Grain, read);
        Assert.Equal("First", read.State!.Name);
    }

    [Fact]
    public async Task Clear_RemovesTheState()
    {
        var storage = new LocalMemoryGrainStorage("s", new MemoryStateStore(), Serializer);
        var state = new GrainState<SiteDefinition>(new SiteDefinition { Id = "a", Name = "A" });
        await storage.WriteStateAsync("site", Grain, state);

        await storage.ClearStateAsync("site", Grain, state);
        var read = new GrainState<SiteDefinition>(new SiteDefinition { Id = "", Name = "" });
        await storage.ReadStateAsync("site", Grain, read);

        Assert.False(read.RecordExists);
        Assert.Null(state.ETag);
    }

    [Fact]
    public async Task CoalescingWriter_ConcurrentRequests_ShareWritesAndNeverOverlap()
    {
        var running = 0;
        var overlapped = false;
        var writes = 0;
        var gate = new TaskCompletionSource();
        var writer = new CoalescingWriter(async () =>
        {
            overlapped |= Interlocked.Increment(ref running) > 1;
            writes++;
            await gate.Task;
            Interlocked.Decrement(ref running);
        });

        var first = writer.WriteAsync();
        var second = writer.WriteAsync();
        var third = writer.WriteAsync();
        Assert.False(second.IsCompleted);
        gate.SetResult();
        await Task.WhenAll(first, second, third);

        Assert.False(overlapped);
        Assert.Equal(2, writes);
    }
}
