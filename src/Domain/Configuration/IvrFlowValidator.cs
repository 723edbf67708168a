using CallCenter.Model;

namespace CallCenter.Domain.Configuration;

/// <summary>
/// The IVR part of <see cref="ConfigurationValidator"/>: each flow, and the entry points that use one. A flow serves
/// one tenant, so its menu and default queues and the entry points that play it are that tenant's.
/// </summary>
internal static class IvrFlowValidator
{
    public const int MaxCollectDigits = 32;
    public const int MaxMenuAttempts = 10;
    public const double MaxRingSeconds = 120;
    public const int MaxOpeningHours = 50;
    public const int MaxHolidays = 400;
    public const double MinVoicemailSeconds = 5;
    public const double MaxVoicemailSeconds = 600;
    private const string MenuKeys = "0123456789*#";

    public static void Validate(ContactCenterConfiguration config, HashSet<string> tenants, List<ValidationError> errors)
    {
        var queues = new Dictionary<string, QueueDefinition>(StringComparer.Ordinal);
        foreach (var queue in config.Queues.Where(q => q.Id is not null))
        {
            queues.TryAdd(queue.Id, queue);
        }

        var flows = new Dictionary<string, IvrFlow>(StringComparer.Ordinal);
        for (var i = 0; i < config.IvrFlows.Count; i++)
        {
            var flow = config.IvrFlows[i];
            var path = $"ivrFlows[{i}]";
            if (string.IsNullOrWhiteSpace(flow.Id) || flow.Id.Length > 128 || flow.Id.Any(char.IsControl))
            {
                errors.Add(new($"{path}.id", "must be 1 to 128 printable characters"));
            }
            else if (!flows.TryAdd(flow.Id, flow))
            {
                errors.Add(new($"{path}.id", $"'{flow.Id}' is used twice"));
            }

            ValidateFlow(flow, path, tenants, queues, errors);
        }

        for (var i = 0; i < config.EntryPoints.Count; i++)
        {
            var entry = config.EntryPoints[i];
            if (entry.IvrFlowId is not { } flowId)
            {
                continue;
            }

            if (!flows.TryGetValue(flowId, out var flow))
            {
                errors.Add(new($"entryPoints[{i}].ivrFlowId", $"unknown IVR flow '{flowId}'"));
            }
            else if (flow.TenantId != entry.TenantId)
            {
                errors.Add(new($"entryPoints[{i}].ivrFlowId", $"IVR flow '{flowId}' belongs to tenant '{flow.TenantId}', not '{entry.TenantId}'"));
            }
        }
    }

    private static void ValidateFlow(IvrFlow flow, string path, HashSet<string> tenants, Dictionary<string, QueueDefinition> queues, List<ValidationError> errors)
    {
        if (flow.TenantId is null || !tenants.Contains(flow.TenantId))
        {
            errors.Add(new($"{path}.tenantId", $"unknown tenant '{flow.TenantId}'"));
        }

        RequirePrompt(flow.Greeting, $"{path}.greeting", errors);
        RequirePrompt(flow.MenuPrompt, $"{path}.menuPrompt", errors);
        if (flow.CollectDigits is < 0 or > MaxCollectDigits)
        {
            errors.Add(new($"{path}.collectDigits", $"must be from 0 to {MaxCollectDigits}"));
        }

        if (flow.CollectDigits > 0)
        {
            RequirePrompt(flow.CollectPrompt, $"{path}.collectPrompt", errors);
            if (string.IsNullOrWhiteSpace(flow.CollectInto) || flow.CollectInto.Length > 128 || flow.CollectInto.Any(char.IsControl))
            {
                errors.Add(new($"{path}.collectInto", "must be an attached-data key of 1 to 128 printable characters"));
            }
        }

        foreach (var (key, queueId) in flow.Menu ?? new Dictionary<string, string>())
        {
            if (key is not { Length: 1 } || !MenuKeys.Contains(key[0], StringComparison.Ordinal))
            {
                errors.Add(new($"{path}.menu['{key}']", "a menu key must be one of 0-9, * or #"));
            }

            RequireQueueOfTenant(queueId, flow.TenantId, $"{path}.menu['{key}']", queues, errors);
        }

        if (flow.MenuAttempts is < 1 or > MaxMenuAttempts)
        {
            errors.Add(new($"{path}.menuAttempts", $"must be from 1 to {MaxMenuAttempts}"));
        }

        if (flow.DefaultQueueId is { } defaultQueue)
        {
            RequireQueueOfTenant(defaultQueue, flow.TenantId, $"{path}.defaultQueueId", queues, errors);
        }

        if (flow.RingSeconds is { } ring && !(ring is >= 0 and <= MaxRingSeconds))
        {
            errors.Add(new($"{path}.ringSeconds", $"must be from 0 to {MaxRingSeconds} seconds"));
        }

        if (flow.Hours is { } hours)
        {
            ValidateHours(hours, $"{path}.hours", errors);
        }
    }

    private static void ValidateHours(BusinessHours hours, string path, List<ValidationError> errors)
    {
        if (!BusinessHoursCalendar.TryFindZone(hours.TimeZone, out _))
        {
            errors.Add(new($"{path}.timeZone", $"unknown time zone '{hours.TimeZone}' (use an IANA id such as Europe/London)"));
        }

        if (hours.Open is not { Count: > 0 and <= MaxOpeningHours })
        {
            errors.Add(new($"{path}.open", $"needs 1 to {MaxOpeningHours} opening hours (remove hours for a line that is always open)"));
        }

        for (var o = 0; o < (hours.Open?.Count ?? 0); o++)
        {
            var open = hours.Open![o];
            var openPath = $"{path}.open[{o}]";
            if (open.Days is not { Count: > 0 })
            {
                errors.Add(new($"{openPath}.days", "needs at least one day"));
            }

            for (var d = 0; d < (open.Days?.Count ?? 0); d++)
            {
                if (!BusinessHoursCalendar.TryParseDay(open.Days![d], out _))
                {
                    errors.Add(new($"{openPath}.days[{d}]", $"'{open.Days[d]}' is not a day of the week (Monday … Sunday, or Mon … Sun)"));
                }
            }

            var fromOk = BusinessHoursCalendar.TryParseTime(open.From, out var from);
            var toOk = BusinessHoursCalendar.TryParseTime(open.To, out var to);
            if (!fromOk)
            {
                errors.Add(new($"{openPath}.from", $"'{open.From}' is not a time HH:mm from 00:00 to 24:00"));
            }

            if (!toOk)
            {
                errors.Add(new($"{openPath}.to", $"'{open.To}' is not a time HH:mm from 00:00 to 24:00"));
            }
            else if (fromOk && to <= from)
            {
                errors.Add(new($"{openPath}.to", "must be after from (split hours across midnight into two days)"));
            }
        }

        if (hours.Holidays is { Count: > MaxHolidays })
        {
            errors.Add(new($"{path}.holidays", $"at most {MaxHolidays} dates"));
        }

        for (var h = 0; h < (hours.Holidays?.Count ?? 0); h++)
        {
            if (!BusinessHoursCalendar.TryParseDate(hours.Holidays![h], out _))
            {
                errors.Add(new($"{path}.holidays[{h}]", $"'{hours.Holidays[h]}' is not a date yyyy-MM-dd"));
            }
        }

        RequirePrompt(hours.ClosedPrompt, $"{path}.closedPrompt", errors);
        if (!Enum.IsDefined(hours.WhenClosed))
        {
            errors.Add(new($"{path}.whenClosed", "must be HangUp, Callback or Voicemail"));
        }

        if (!(hours.VoicemailSeconds is >= MinVoicemailSeconds and <= MaxVoicemailSeconds))
        {
            errors.Add(new($"{path}.voicemailSeconds", $"must be from {MinVoicemailSeconds} to {MaxVoicemailSeconds} seconds"));
        }
    }

    private static void RequireQueueOfTenant(string? queueId, string? tenantId, string path, Dictionary<string, QueueDefinition> queues, List<ValidationError> errors)
    {
        if (queueId is null || !queues.TryGetValue(queueId, out var queue))
        {
            errors.Add(new(path, $"unknown queue '{queueId}'"));
        }
        else if (queue.TenantId != tenantId)
        {
            errors.Add(new(path, $"queue '{queueId}' belongs to tenant '{queue.TenantId}', not the flow's tenant '{tenantId}'"));
        }
    }

    /// <summary>A prompt is a WAV file name without its extension: letters, digits, '-', '_' and '.', not starting with '.'.</summary>
    private static void RequirePrompt(string? prompt, string path, List<ValidationError> errors)
    {
        if (!IsPromptName(prompt))
        {
            errors.Add(new(path, $"'{prompt}' is not a prompt name (1 to 64 letters, digits, '-', '_' or '.', not starting with '.')"));
        }
    }

    public static bool IsPromptName(string? prompt) =>
        prompt is { Length: > 0 and <= 64 } && prompt[0] != '.' && prompt.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
