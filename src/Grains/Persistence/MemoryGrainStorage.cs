using System.Collections.Concurrent;
using Orleans.Serialization;
using Orleans.Storage;

namespace CallCenter.Grains.Persistence;

/// <summary>
/// The state and reminders of every grain kept in this process's memory, as serialized copies with ETags. One store can be shared by
/// several silos of one process (the in-process test clusters), so state outlives the silo that wrote it, as with Redis.
/// </summary>
public sealed class MemoryStateStore
{
    internal ConcurrentDictionary<string, (byte[] Data, string ETag)> Entries { get; } = new(StringComparer.Ordinal);

    /// <summary>The reminders of the silos sharing this store (a reminder outlives its silo as the grain's state does).</summary>
    public MemoryReminderTable Reminders { get; } = new();
}

/// <summary>
/// Grain storage for the embedded single-machine contact center: a write is a serialization and a dictionary update
/// in this process, not a message to a storage grain (Orleans' own memory storage costs a round trip per write).
/// ETags are checked as any durable store checks them.
/// </summary>
public sealed class LocalMemoryGrainStorage(string name, MemoryStateStore store, Serializer serializer) : IGrainStorage
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (store.Entries.TryGetValue(Key(stateName, grainId), out var entry))
        {
            grainState.State = serializer.Deserialize<T>(entry.Data);
            grainState.ETag = entry.ETag;
            grainState.RecordExists = true;
        }

        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        var key = Key(stateName, grainId);
        var data = serializer.SerializeToArray(grainState.State);
        var etag = Guid.NewGuid().ToString("N");
        store.Entries.AddOrUpdate(
            key,
            _ => grainState.ETag is null ? (data, etag) : throw Conflict(stateName, grainId, null, grainState.ETag),
            (_, stored) => stored.ETag == grainState.ETag ? (data, etag) : throw Conflict(stateName, grainId, stored.ETag, grainState.ETag));
        grainState.ETag = etag;
        grainState.RecordExists = true;
        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        store.Entries.TryRemove(Key(stateName, grainId), out _);
        grainState.ETag = null;
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }

    private string Key(string stateName, GrainId grainId) => $"{name}/{stateName}/{grainId}";

    private static InconsistentStateException Conflict(string stateName, GrainId grainId, string? stored, string? given) =>
        new($"state '{stateName}' of {grainId} changed since it was read", stored ?? "(none)", given ?? "(none)");
}
