using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace CallCenter.Web.Security;

/// <summary>
/// Security events (logins, failed logins, lockouts, refused commands, supervisor actions) as JSON lines appended to
/// a file, and to the log. Never a secret or a token.
/// </summary>
public sealed partial class AuditLog(string? path, TimeProvider time, ILogger<AuditLog> logger)
{
    private readonly Lock _write = new();

    public string? Path => path;

    public void Write(string action, string outcome, string? userId, string? source, string? detail = null)
    {
        LogAudit(action, outcome, userId, source, detail);
        if (string.IsNullOrEmpty(path))
        {
            return;
        }

        var line = JsonSerializer.Serialize(new { at = time.GetUtcNow(), action, outcome, user = userId, source, detail });
        lock (_write)
        {
            File.AppendAllText(path, line + Environment.NewLine);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Audit {Action} {Outcome} user={UserId} source={Source} {Detail}")]
    private partial void LogAudit(string action, string outcome, string? userId, string? source, string? detail);
}
