using System.Text.Json;
using System.Text.Json.Serialization;

namespace CallCenter.Web.Hosting;

/// <summary>One JSON dialect for the configuration file and the HTTP API: camelCase names, enums by name.</summary>
public static class JsonDefaults
{
    public static JsonSerializerOptions Options { get; } = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.Converters.Add(new JsonStringEnumConverter(allowIntegerValues: false));
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.WriteIndented = false;
        return options;
    }
}
