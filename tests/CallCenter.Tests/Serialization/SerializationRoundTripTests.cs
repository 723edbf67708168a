using CallCenter.Domain.Lifecycle;
using System.Reflection;
using System.Text.Json;
using CallCenter.Grains.Grains;
using CallCenter.Model;
using CallCenter.Web.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace CallCenter.Tests.Serialization;

/// <summary>Every message and state type goes through Orleans' serializer and comes back the same, filled with non-default values.</summary>
public sealed class SerializationRoundTripTests
{
    private static readonly Serializer Serializer = new ServiceCollection()
        .AddSerializer(builder => builder.AddAssembly(typeof(CallSnapshot).Assembly).AddAssembly(typeof(CallGrainState).Assembly).AddAssembly(typeof(CallTimeline).Assembly))
        .BuildServiceProvider()
        .GetRequiredService<Serializer>();

    public static TheoryData<string> SerializableTypes()
    {
        var data = new TheoryData<string>();
        foreach (var type in AllSerializableTypes())
        {
            data.Add(type.FullName!);
        }

        return data;
    }

    [Fact]
    public void SerializableTypes_AreFoundInBothAssemblies()
    {
        var types = AllSerializableTypes().ToList();
        Assert.Contains(typeof(CallSnapshot), types);
        Assert.Contains(typeof(QueueGrainState), types);
        Assert.True(types.Count > 40, $"only {types.Count} serializable types found");
    }

    [Theory]
    [MemberData(nameof(SerializableTypes))]
    public void RoundTrip_KeepsEveryValue(string typeName)
    {
        var type = AllSerializableTypes().Single(t => t.FullName == typeName);
        var original = new SampleValues().Create(type);

        var bytes = Serializer.SerializeToArray(original);
        var copy = Serializer.Deserialize<object>(bytes);

        Assert.IsType(type, copy);
        Assert.Equal(Json(original), Json(copy));
    }

    private static string Json(object value) => JsonSerializer.Serialize(value, value.GetType(), JsonDefaults.Options);

    private static IEnumerable<Type> AllSerializableTypes() =>
        new[] { typeof(CallSnapshot).Assembly, typeof(CallGrainState).Assembly, typeof(CallTimeline).Assembly }
            .SelectMany(assembly => assembly.GetTypes())
            .Where(type => type.GetCustomAttribute<GenerateSerializerAttribute>() is not null && !type.IsEnum && !type.IsAbstract && !type.IsGenericTypeDefinition)
            .OrderBy(type => type.FullName, StringComparer.Ordinal);
}
