using System.Collections;
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
        .AddSerializer(builder => builder.AddAssembly(typeof(CallSnapshot).Assembly).AddAssembly(typeof(CallGrainState).Assembly))
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
        var original = SampleValues.Create(type, depth: 0);

        var bytes = Serializer.SerializeToArray(original);
        var copy = Serializer.Deserialize<object>(bytes);

        Assert.IsType(type, copy);
        Assert.Equal(Json(original), Json(copy));
    }

    private static string Json(object value) => JsonSerializer.Serialize(value, value.GetType(), JsonDefaults.Options);

    private static IEnumerable<Type> AllSerializableTypes() =>
        new[] { typeof(CallSnapshot).Assembly, typeof(CallGrainState).Assembly }
            .SelectMany(assembly => assembly.GetTypes())
            .Where(type => type.GetCustomAttribute<GenerateSerializerAttribute>() is not null && !type.IsEnum && !type.IsAbstract && !type.IsGenericTypeDefinition)
            .OrderBy(type => type.FullName, StringComparer.Ordinal);

    /// <summary>Builds an instance with a distinct, non-default value in every member.</summary>
    private static class SampleValues
    {
        private static int _counter;

        public static object Create(Type type, int depth)
        {
            var n = Interlocked.Increment(ref _counter);
            var underlying = Nullable.GetUnderlyingType(type);
            if (underlying is not null)
            {
                return Create(underlying, depth);
            }

            if (type == typeof(string))
            {
                return $"v{n}";
            }

            if (type == typeof(int))
            {
                return n;
            }

            if (type == typeof(long))
            {
                return (long)n * 1000;
            }

            if (type == typeof(double))
            {
                return n + 0.25;
            }

            if (type == typeof(bool))
            {
                return true;
            }

            if (type == typeof(DateTimeOffset))
            {
                return new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(n);
            }

            if (type == typeof(TimeSpan))
            {
                return TimeSpan.FromSeconds(n);
            }

            if (type.IsEnum)
            {
                var values = Enum.GetValues(type);
                return values.GetValue(values.Length - 1)!;
            }

            if (type.IsGenericType && type.GetGenericArguments().Length == 2 && typeof(IEnumerable).IsAssignableFrom(type))
            {
                var args = type.GetGenericArguments();
                var dictionary = (IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(args))!;
                dictionary[Create(args[0], depth + 1)] = Create(args[1], depth + 1);
                return dictionary;
            }

            if (type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type))
            {
                var element = type.GetGenericArguments()[0];
                var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(element))!;
                if (depth < 4)
                {
                    list.Add(Create(element, depth + 1));
                }

                return list;
            }

            return CreateObject(type, depth);
        }

        private static object CreateObject(Type type, int depth)
        {
            var constructor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
            var arguments = constructor.GetParameters().Select(p => Create(p.ParameterType, depth + 1)).ToArray();
            var instance = constructor.Invoke(arguments);
            var fromConstructor = constructor.GetParameters().Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase);
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (property.SetMethod is null || fromConstructor.Contains(property.Name) || property.GetIndexParameters().Length > 0)
                {
                    continue;
                }

                if (depth > 3 && Nullable.GetUnderlyingType(property.PropertyType) is null && !property.PropertyType.IsValueType && property.PropertyType != typeof(string))
                {
                    var current = property.GetValue(instance);
                    if (current is not null)
                    {
                        continue;
                    }
                }

                property.SetValue(instance, Create(property.PropertyType, depth + 1));
            }

            return instance;
        }
    }
}
