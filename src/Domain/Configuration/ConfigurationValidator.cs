using CallCenter.Model;

namespace CallCenter.Domain.Configuration;

/// <summary>
/// Checks a whole contact-center configuration before any of it is applied. Every error names its field
/// the way the admin API's JSON spells it (e.g. <c>queues[1].stages[0].afterSeconds</c>).
/// </summary>
public static class ConfigurationValidator
{
    public const int MinProficiency = 1;
    public const int MaxProficiency = 10;

    public static IReadOnlyList<ValidationError> Validate(ContactCenterConfiguration config)
    {
        var errors = new List<ValidationError>();
        var tenants = CheckIds(config.Tenants.Select(t => t.Id), "tenants", errors);
        tenants.Add(TenantDefinition.DefaultTenantId);
        for (var i = 0; i < config.Tenants.Count; i++)
        {
            RequireText(config.Tenants[i].Name, $"tenants[{i}].name", errors);
        }

        var sites = CheckIds(config.Sites.Select(s => s.Id), "sites", errors);
        for (var i = 0; i < config.Sites.Count; i++)
        {
            var site = config.Sites[i];
            RequireText(site.Name, $"sites[{i}].name", errors);
            if (site.Id?.Contains(CallIds.SiteSeparator) == true)
            {
                // Call ids carry their site before this character (CallIds), so a site id cannot hold it.
                errors.Add(new($"sites[{i}].id", $"must not contain '{CallIds.SiteSeparator}'"));
            }

            RequireKnown(site.TenantId, tenants, $"sites[{i}].tenantId", "tenant", errors);
            if (site.TrunkCapacity < 0)
            {
                errors.Add(new($"sites[{i}].trunkCapacity", "must not be negative"));
            }
        }

        var skills = CheckIds(config.Skills, "skills", errors);
        CheckIds(config.ReasonCodes, "reasonCodes", errors);
        CheckIds(config.DispositionCodes, "dispositionCodes", errors);
        var queueIds = CheckIds(config.Queues.Select(q => q.Id), "queues", errors);
        for (var i = 0; i < config.Queues.Count; i++)
        {
            ValidateQueue(config.Queues[i], $"queues[{i}]", tenants, skills, config.Queues, errors);
        }

        CheckIds(config.Agents.Select(a => a.Id), "agents", errors);
        for (var i = 0; i < config.Agents.Count; i++)
        {
            ValidateAgent(config.Agents[i], $"agents[{i}]", tenants, sites, skills, errors);
        }

        CheckIds(config.EntryPoints.Select(e => e.DialledNumber), "entryPoints", errors, "dialledNumber");
        for (var i = 0; i < config.EntryPoints.Count; i++)
        {
            var entry = config.EntryPoints[i];
            var path = $"entryPoints[{i}]";
            RequireKnown(entry.TenantId, tenants, $"{path}.tenantId", "tenant", errors);
            if (RequireKnown(entry.QueueId, queueIds, $"{path}.queueId", "queue", errors))
            {
                var queue = config.Queues.First(q => q.Id == entry.QueueId);
                if (queue.TenantId != entry.TenantId)
                {
                    errors.Add(new($"{path}.queueId", $"queue '{entry.QueueId}' belongs to tenant '{queue.TenantId}', not '{entry.TenantId}'"));
                }
            }
        }

        IvrFlowValidator.Validate(config, tenants, errors);
        return errors;
    }

    private static void ValidateQueue(
        QueueDefinition queue, string path, HashSet<string> tenants, HashSet<string> skills, IReadOnlyList<QueueDefinition> queues, List<ValidationError> errors)
    {
        RequireText(queue.Name, $"{path}.name", errors);
        RequireKnown(queue.TenantId, tenants, $"{path}.tenantId", "tenant", errors);
        ValidateRequirements(queue.RequiredSkills, $"{path}.requiredSkills", skills, errors);
        if (queue.AgingPointsPerMinute < 0 || !double.IsFinite(queue.AgingPointsPerMinute))
        {
            errors.Add(new($"{path}.agingPointsPerMinute", "must be zero or more"));
        }

        if (!(queue.ServiceLevelTarget is > 0 and <= 1))
        {
            errors.Add(new($"{path}.serviceLevelTarget", "must be a fraction above 0 and at most 1 (e.g. 0.8 for 80%)"));
        }

        RequirePositive(queue.ServiceLevelThresholdSeconds, $"{path}.serviceLevelThresholdSeconds", errors);
        RequirePositive(queue.AcceptTimeoutSeconds, $"{path}.acceptTimeoutSeconds", errors);
        if (queue.MaxQueueLength < 1)
        {
            errors.Add(new($"{path}.maxQueueLength", "must be at least 1"));
        }

        RequireNonNegative(queue.WrapUpSeconds, $"{path}.wrapUpSeconds", errors);
        RequireNonNegative(queue.LastAgentFirstSeconds, $"{path}.lastAgentFirstSeconds", errors);
        foreach (var (tenant, index) in queue.SharedPoolTenants.Select((t, n) => (t, n)))
        {
            RequireKnown(tenant, tenants, $"{path}.sharedPoolTenants[{index}]", "tenant", errors);
        }

        foreach (var (partner, index) in queue.EntitledPartners.Select((p, n) => (p, n)))
        {
            RequireText(partner, $"{path}.entitledPartners[{index}]", errors);
        }

        if (queue.Stages.Count == 0)
        {
            errors.Add(new($"{path}.stages", "needs at least one bullseye stage"));
        }

        for (var s = 0; s < queue.Stages.Count; s++)
        {
            var stage = queue.Stages[s];
            var stagePath = $"{path}.stages[{s}]";
            if (s == 0 && stage.AfterSeconds != 0)
            {
                errors.Add(new($"{stagePath}.afterSeconds", "the first stage must start at 0"));
            }
            else if (s > 0 && !(stage.AfterSeconds > queue.Stages[s - 1].AfterSeconds))
            {
                errors.Add(new($"{stagePath}.afterSeconds", "stages must start in increasing order of seconds"));
            }

            if (!Enum.IsDefined(stage.Scope))
            {
                errors.Add(new($"{stagePath}.scope", "must be OwnSite, AnySite or PartnerExperts"));
            }

            if (stage.Skills is { } stageSkills)
            {
                ValidateRequirements(stageSkills, $"{stagePath}.skills", skills, errors);
            }
        }

        if (queue.Overflow is { Kind: not OverflowKind.None } overflow)
        {
            var overflowPath = $"{path}.overflow";
            if (overflow.AnnouncementId is { } announcement && !IvrFlowValidator.IsPromptName(announcement))
            {
                // The edge plays it by name as a WAV prompt.
                errors.Add(new($"{overflowPath}.announcementId", $"'{announcement}' is not a prompt name (1 to 64 letters, digits, '-', '_' or '.', not starting with '.')"));
            }

            RequirePositive(overflow.AfterSeconds, $"{overflowPath}.afterSeconds", errors);
            switch (overflow.Kind)
            {
                case OverflowKind.Queue:
                    var target = queues.FirstOrDefault(q => q.Id == overflow.TargetQueueId);
                    if (target is null)
                    {
                        errors.Add(new($"{overflowPath}.targetQueueId", $"unknown queue '{overflow.TargetQueueId}'"));
                    }
                    else if (target.Id == queue.Id)
                    {
                        errors.Add(new($"{overflowPath}.targetQueueId", "a queue cannot overflow to itself"));
                    }
                    else if (target.TenantId != queue.TenantId)
                    {
                        errors.Add(new($"{overflowPath}.targetQueueId", "must be a queue of the same tenant"));
                    }

                    break;
                case OverflowKind.Disconnect:
                    RequireText(overflow.AnnouncementId, $"{overflowPath}.announcementId", errors);
                    break;
                case OverflowKind.Callback:
                    break;
                default:
                    errors.Add(new($"{overflowPath}.kind", "must be None, Queue, Callback or Disconnect"));
                    break;
            }
        }
    }

    private static void ValidateAgent(
        AgentDefinition agent, string path, HashSet<string> tenants, HashSet<string> sites, HashSet<string> skills, List<ValidationError> errors)
    {
        RequireText(agent.Name, $"{path}.name", errors);
        RequireKnown(agent.TenantId, tenants, $"{path}.tenantId", "tenant", errors);
        RequireKnown(agent.SiteId, sites, $"{path}.siteId", "site", errors);
        if (!Enum.IsDefined(agent.Kind))
        {
            errors.Add(new($"{path}.kind", "must be Staff, Home or PartnerExpert"));
        }

        if (agent.PhoneUri is { } phone && !IsPhoneUri(phone))
        {
            errors.Add(new($"{path}.phoneUri", "must be a sip:, sips: or tel: URI without spaces (e.g. sip:alice@192.0.2.10:5062)"));
        }

        if (agent.Kind == AgentKind.PartnerExpert && string.IsNullOrWhiteSpace(agent.PartnerOrganization))
        {
            errors.Add(new($"{path}.partnerOrganization", "a partner expert needs a partner organisation"));
        }

        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var s = 0; s < agent.Skills.Count; s++)
        {
            var level = agent.Skills[s];
            RequireKnown(level.Skill, skills, $"{path}.skills[{s}].skill", "skill", errors);
            if (!seen.Add(level.Skill ?? string.Empty))
            {
                errors.Add(new($"{path}.skills[{s}].skill", $"skill '{level.Skill}' is listed twice"));
            }

            if (level.Proficiency is < MinProficiency or > MaxProficiency)
            {
                errors.Add(new($"{path}.skills[{s}].proficiency", $"must be from {MinProficiency} to {MaxProficiency}"));
            }
        }

        for (var c = 0; c < agent.Capacities.Count; c++)
        {
            var capacity = agent.Capacities[c];
            if (capacity.Channel == Channel.Voice && capacity.Capacity is not (0 or 1))
            {
                errors.Add(new($"{path}.capacities[{c}].capacity", "voice capacity is 0 or 1: an agent never holds two voice calls"));
            }
            else if (capacity.Capacity is < 0 or > 20)
            {
                errors.Add(new($"{path}.capacities[{c}].capacity", "must be from 0 to 20"));
            }
        }
    }

    private static void ValidateRequirements(IReadOnlyList<SkillRequirement> requirements, string path, HashSet<string> skills, List<ValidationError> errors)
    {
        for (var r = 0; r < requirements.Count; r++)
        {
            RequireKnown(requirements[r].Skill, skills, $"{path}[{r}].skill", "skill", errors);
            if (requirements[r].MinimumProficiency is < MinProficiency or > MaxProficiency)
            {
                errors.Add(new($"{path}[{r}].minimumProficiency", $"must be from {MinProficiency} to {MaxProficiency}"));
            }
        }
    }

    private static HashSet<string> CheckIds(IEnumerable<string?> ids, string collection, List<ValidationError> errors, string field = "id")
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var index = 0;
        foreach (var id in ids)
        {
            var path = field == "id" && collection is "skills" or "reasonCodes" ? $"{collection}[{index}]" : $"{collection}[{index}].{field}";
            if (string.IsNullOrWhiteSpace(id))
            {
                errors.Add(new(path, "must not be empty"));
            }
            else if (id.Length > 128 || id.Any(char.IsControl))
            {
                errors.Add(new(path, "must be at most 128 printable characters"));
            }
            else if (!seen.Add(id))
            {
                errors.Add(new(path, $"'{id}' is used twice"));
            }

            index++;
        }

        return seen;
    }

    private static void RequireText(string? value, string path, List<ValidationError> errors)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors.Add(new(path, "must not be empty"));
        }
    }

    private static bool RequireKnown(string? value, HashSet<string> known, string path, string what, List<ValidationError> errors)
    {
        if (value is null || !known.Contains(value))
        {
            errors.Add(new(path, $"unknown {what} '{value}'"));
            return false;
        }

        return true;
    }

    private static void RequirePositive(double value, string path, List<ValidationError> errors)
    {
        if (!(value > 0) || !double.IsFinite(value))
        {
            errors.Add(new(path, "must be a positive number"));
        }
    }

    private static void RequireNonNegative(double value, string path, List<ValidationError> errors)
    {
        if (!(value >= 0) || !double.IsFinite(value))
        {
            errors.Add(new(path, "must be zero or more"));
        }
    }

    private static bool IsPhoneUri(string uri) =>
        uri.Length <= 256 && !uri.Any(char.IsWhiteSpace)
        && (uri.StartsWith("sip:", StringComparison.OrdinalIgnoreCase) || uri.StartsWith("sips:", StringComparison.OrdinalIgnoreCase)
            || uri.StartsWith("tel:", StringComparison.OrdinalIgnoreCase))
        && uri.IndexOf(':', StringComparison.Ordinal) < uri.Length - 1;
}
