using System.Collections;
using System.Reflection;

namespace CallCenter.Tests.Serialization;

/// <summary>
/// Builds an instance with a distinct, non-default value in every member. Deterministic: one builder numbers its values
/// from 1, so the same type always gets the same instance (the wire fixtures rely on it).
/// </summary>
internal sealed class SampleValues
{
    private int _counter;

    public object Create(Type type) => Create(type, depth: 0);

    private object Create(Type type, int depth)
    {
        var n = ++_counter;
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

    private object CreateObject(Type type, int depth)
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
