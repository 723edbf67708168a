using System.Text.Json;
using CallCenter.Model;
using CallCenter.Web.Hosting;

namespace CallCenter.Web.Api;

/// <summary>How the HTTP API reads bodies and maps engine results to status codes, in one place.</summary>
internal static class HttpResults
{
    public const long MaxBodyBytes = 4 * 1024 * 1024;

    public static IResult Problem(int status, string message) => Results.Json(new { error = message }, JsonDefaults.Options, statusCode: status);

    public static IResult From(CommandResult result) => result.Status switch
    {
        CommandStatus.Ok or CommandStatus.AlreadyDone => Results.Json(new { status = result.Status, message = result.Message }, JsonDefaults.Options),
        CommandStatus.NotFound => Problem(StatusCodes.Status404NotFound, result.Message ?? "not found"),
        CommandStatus.InvalidArgument => Problem(StatusCodes.Status400BadRequest, result.Message ?? "invalid argument"),
        CommandStatus.Refused => Problem(StatusCodes.Status403Forbidden, result.Message ?? "refused"),
        _ => Problem(StatusCodes.Status409Conflict, result.Message ?? result.Status.ToString()),
    };

    /// <summary>Reads a JSON body; a body that is missing, too large or not the expected shape yields a 400 naming the problem.</summary>
    public static async Task<(T? Value, IResult? Error)> ReadAsync<T>(HttpRequest request)
        where T : class
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            return (null, Problem(StatusCodes.Status413PayloadTooLarge, $"the body is larger than {MaxBodyBytes} bytes"));
        }

        try
        {
            var value = await JsonSerializer.DeserializeAsync<T>(request.Body, JsonDefaults.Options, request.HttpContext.RequestAborted);
            return value is null ? (null, Problem(StatusCodes.Status400BadRequest, "the body is empty")) : (value, null);
        }
        catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // A chunked body has no Content-Length: Kestrel counts what is read and stops past MaxRequestBodySize.
            return (null, Problem(StatusCodes.Status413PayloadTooLarge, $"the body is larger than {MaxBodyBytes} bytes"));
        }
        catch (JsonException exception)
        {
            var where = exception.Path is { Length: > 0 } path ? $" at {path}" : string.Empty;
            return (null, Problem(StatusCodes.Status400BadRequest, $"the body is not valid JSON for {typeof(T).Name}{where}: {FirstLine(exception.Message)}"));
        }
    }

    public static bool IsValidId(string? id) => !string.IsNullOrWhiteSpace(id) && id.Length <= 128 && !id.Any(char.IsControl);

    private static string FirstLine(string message)
    {
        var end = message.IndexOf(". Path:", StringComparison.Ordinal);
        return end > 0 ? message[..end] : message;
    }
}
