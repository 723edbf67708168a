using CallCenter.Domain.Lifecycle;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using CallCenter.Grains;
using CallCenter.Grains.Grains;
using CallCenter.Model;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Concurrency;
using Orleans.Serialization;

namespace CallCenter.Tests.Serialization;

/// <summary>
/// Golden bytes: what a running cluster stores (grain states) and sends (messages, grain interfaces and methods) is
/// checked in under <c>Serialization/WireFixtures</c>. A change that makes those bytes unreadable, or reads them as
/// something else, or renames an interface or method alias, fails here. When a change is meant (a new field, a new
/// type, a new method), rewrite the fixtures with <c>CALLCENTER_UPDATE_WIRE_FIXTURES=1 dotnet test --filter WireCompatibility</c>
/// and commit them with the change; a change of what already exists needs a migration plan, not new fixtures.
/// </summary>
public sealed class WireCompatibilityTests
{
    private const string UpdateVariable = "CALLCENTER_UPDATE_WIRE_FIXTURES";

    private static readonly Serializer Serializer = new ServiceCollection()
        .AddSerializer(builder => builder.AddAssembly(typeof(CallSnapshot).Assembly).AddAssembly(typeof(CallGrainState).Assembly).AddAssembly(typeof(CallTimeline).Assembly))
        .BuildServiceProvider()
        .GetRequiredService<Serializer>();

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        WriteIndented = true,
    };

    private static readonly Assembly[] Contracts = [typeof(CallSnapshot).Assembly, typeof(CallGrainState).Assembly, typeof(CallTimeline).Assembly];

    private static bool Updating => Environment.GetEnvironmentVariable(UpdateVariable) == "1";

    public static TheoryData<string> SerializedTypes()
    {
        var data = new TheoryData<string>();
        foreach (var type in AllSerializedTypes())
        {
            data.Add(AliasOf(type));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(SerializedTypes))]
    public void StoredBytes_StillReadAsTheSameValue_AndAreStillWrittenTheSame(string alias)
    {
        var type = AllSerializedTypes().Single(t => AliasOf(t) == alias);
        var sample = new SampleValues().Create(type);
        var bytes = Serializer.SerializeToArray<object>(sample);
        var bytesFile = FixturePath(alias + ".hex");
        var jsonFile = FixturePath(alias + ".json");
        if (Updating)
        {
            File.WriteAllText(bytesFile, Hex(bytes));
            File.WriteAllText(jsonFile, JsonOf(sample) + "\n");
            return;
        }

        Assert.True(File.Exists(bytesFile), $"no wire fixture for '{alias}' ({type.FullName}): a new serialized type. {HowToUpdate}");
        var golden = Convert.FromHexString(File.ReadAllText(bytesFile).Replace("\n", "", StringComparison.Ordinal));
        var expected = JsonNode.Parse(File.ReadAllText(jsonFile))!;

        // What a running cluster stored or sent must still be read by this code, as the same value.
        object? read;
        try
        {
            read = Serializer.Deserialize<object>(golden);
        }
        catch (Exception exception)
        {
            Assert.Fail($"BREAKING: bytes of '{alias}' written by the previous version cannot be read any more ({exception.GetType().Name}: {exception.Message}). Keep the alias and the field ids; add fields with new ids.");
            return;
        }

        Assert.IsType(type, read);
        var actual = JsonNode.Parse(JsonOf(read))!;
        var difference = FirstDifference(expected, actual, "$");
        Assert.True(difference is null, $"BREAKING: bytes of '{alias}' written by the previous version now read differently at {difference}. Field ids were changed or reused?");

        // This version must write what the previous one reads: the same bytes, unless a field was added (then the
        // check above passed, and the fixture is updated on purpose).
        Assert.True(golden.AsSpan().SequenceEqual(bytes), $"'{alias}' is now written differently from its fixture. If fields were only added (with new ids), update the fixtures. {HowToUpdate}");
    }

    [Fact]
    public void GrainInterfacesAndMethods_KeepTheirAliases()
    {
        var manifest = ContractManifest();
        var file = FixturePath("grain-contracts.txt");
        if (Updating)
        {
            File.WriteAllText(file, manifest);
            return;
        }

        var golden = File.ReadAllText(file);
        var missing = golden.Split('\n', StringSplitOptions.RemoveEmptyEntries).Except(manifest.Split('\n', StringSplitOptions.RemoveEmptyEntries)).ToList();
        Assert.True(missing.Count == 0, $"BREAKING: grain interfaces or methods a running cluster calls are gone or changed:\n{string.Join("\n", missing)}\nAdd new methods beside them instead.");
        Assert.True(golden == manifest, $"grain interfaces or methods were added. {HowToUpdate}");
    }

    [Fact]
    public void EveryGrainInterfaceMethodAndSerializedType_HasANamespacedAlias()
    {
        var unnamed = AllSerializedTypes().Concat(GrainInterfaces()).Concat(AllEnums())
            .Where(type => !AliasOf(type).StartsWith("callcenter.", StringComparison.Ordinal))
            .Select(type => type.FullName!)
            .Concat(GrainInterfaces().SelectMany(i => i.GetMethods()).Where(m => !(MethodAliasOf(m)?.StartsWith(AliasOf(m.DeclaringType!) + ".", StringComparison.Ordinal) ?? false))
                .Select(m => $"{m.DeclaringType!.Name}.{m.Name}"))
            .ToList();
        Assert.True(unnamed.Count == 0, "without a 'callcenter.' alias: " + string.Join(", ", unnamed));
    }

    private static string HowToUpdate => $"To accept the change, run the tests with {UpdateVariable}=1 and commit tests/CallCenter.Tests/Serialization/WireFixtures.";

    private static string ContractManifest()
    {
        var lines = new List<string>();
        foreach (var grainInterface in GrainInterfaces())
        {
            lines.Add($"{AliasOf(grainInterface)} : {string.Join(", ", grainInterface.GetInterfaces().Where(IsGrainInterface).Select(AliasOf).Order(StringComparer.Ordinal))}");
            foreach (var method in grainInterface.GetMethods())
            {
                var parameters = string.Join(", ", method.GetParameters().Select(p => TypeName(p.ParameterType)));
                var oneWay = method.GetCustomAttribute<OneWayAttribute>() is null ? "" : " one-way";
                lines.Add($"{MethodAliasOf(method)}({parameters}) -> {TypeName(method.ReturnType)}{oneWay}");
            }
        }

        lines.Sort(StringComparer.Ordinal);
        return string.Join("\n", lines) + "\n";
    }

    private static string TypeName(Type type) => type.IsGenericType
        ? $"{type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)]}<{string.Join(", ", type.GetGenericArguments().Select(TypeName))}>"
        : type.GetCustomAttribute<AliasAttribute>()?.Alias ?? type.Name;

    private static IEnumerable<Type> AllSerializedTypes() => Contracts
        .SelectMany(assembly => assembly.GetTypes())
        .Where(type => type.GetCustomAttribute<GenerateSerializerAttribute>() is not null && !type.IsEnum && !type.IsAbstract && !type.IsGenericTypeDefinition)
        .OrderBy(type => type.FullName, StringComparer.Ordinal);

    private static IEnumerable<Type> AllEnums() => Contracts
        .SelectMany(assembly => assembly.GetTypes())
        .Where(type => type.IsEnum && (type.IsPublic || type.IsNestedPublic) && type.GetCustomAttribute<AliasAttribute>() is not null);

    private static IEnumerable<Type> GrainInterfaces() => Contracts
        .SelectMany(assembly => assembly.GetTypes())
        .Where(type => type.IsInterface && IsGrainInterface(type))
        .OrderBy(type => type.FullName, StringComparer.Ordinal);

    private static bool IsGrainInterface(Type type) =>
        typeof(IAddressable).IsAssignableFrom(type) && type.Assembly is var assembly && Contracts.Contains(assembly);

    private static string AliasOf(Type type) => type.GetCustomAttribute<AliasAttribute>()?.Alias ?? type.FullName!;

    private static string? MethodAliasOf(MethodInfo method) => method.GetCustomAttribute<AliasAttribute>()?.Alias;

    private static string JsonOf(object value) => JsonSerializer.Serialize(value, value.GetType(), Json);

    private static string Hex(byte[] bytes)
    {
        var hex = Convert.ToHexString(bytes);
        var text = new StringBuilder();
        for (var i = 0; i < hex.Length; i += 64)
        {
            text.Append(hex.AsSpan(i, Math.Min(64, hex.Length - i))).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>Where <paramref name="expected"/> (the fixture's value) is not in <paramref name="actual"/>; members added since are ignored.</summary>
    private static string? FirstDifference(JsonNode? expected, JsonNode? actual, string path)
    {
        switch (expected)
        {
            case JsonObject expectedObject:
                if (actual is not JsonObject actualObject)
                {
                    return path;
                }

                foreach (var (name, value) in expectedObject)
                {
                    if (!actualObject.TryGetPropertyValue(name, out var actualValue))
                    {
                        return $"{path}.{name} (gone)";
                    }

                    if (FirstDifference(value, actualValue, $"{path}.{name}") is { } inner)
                    {
                        return inner;
                    }
                }

                return null;
            case JsonArray expectedArray:
                if (actual is not JsonArray actualArray || actualArray.Count != expectedArray.Count)
                {
                    return path;
                }

                for (var i = 0; i < expectedArray.Count; i++)
                {
                    if (FirstDifference(expectedArray[i], actualArray[i], $"{path}[{i}]") is { } inner)
                    {
                        return inner;
                    }
                }

                return null;
            default:
                return JsonNode.DeepEquals(expected, actual) ? null : $"{path} (was {expected?.ToJsonString() ?? "null"}, now {actual?.ToJsonString() ?? "null"})";
        }
    }

    private static string FixturePath(string name, [CallerFilePath] string source = "")
    {
        var folder = Path.Combine(Path.GetDirectoryName(source)!, "WireFixtures");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name);
    }
}
