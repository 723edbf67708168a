using CallCenter.Model;

namespace CallCenter.Grains.Grains;

[GenerateSerializer, Alias("callcenter.customer-grain-state")]
public sealed class CustomerGrainState
{
    [Id(0)] public string? Name { get; set; }
    [Id(1)] public CustomerTier Tier { get; set; }
    [Id(2)] public string? LastAgentId { get; set; }
    [Id(3)] public List<ContactRecord> History { get; set; } = [];
    [Id(4)] public Dictionary<string, string> Attributes { get; set; } = [];
}

/// <summary>A customer's profile and contact history: the screen-pop and personalised routing ("last agent first", VIP priority).</summary>
[GrainType("customer")]
internal sealed class CustomerGrain(
    [PersistentState("customer", StorageNames.State)] IPersistentState<CustomerGrainState> state) : Grain, ICustomerGrain
{
    /// <summary>Contacts kept per customer: enough for a screen-pop; the full history belongs to the call records.</summary>
    public const int HistoryLimit = 100;

    public Task<CustomerProfile> GetProfileAsync() => Task.FromResult(Profile());

    public async Task<CustomerProfile> UpdateProfileAsync(string? name, CustomerTier tier, IReadOnlyDictionary<string, string>? attributes)
    {
        if (!Enum.IsDefined(tier))
        {
            throw new ArgumentOutOfRangeException(nameof(tier), $"unknown customer tier {tier}");
        }

        state.State.Name = name;
        state.State.Tier = tier;
        if (attributes is not null)
        {
            state.State.Attributes = new Dictionary<string, string>(attributes);
        }

        await state.WriteStateAsync();
        return Profile();
    }

    public async Task AddContactAsync(ContactRecord contact)
    {
        if (state.State.History.Exists(existing => existing.CallId == contact.CallId))
        {
            return;
        }

        state.State.History.Add(contact);
        if (state.State.History.Count > HistoryLimit)
        {
            state.State.History.RemoveRange(0, state.State.History.Count - HistoryLimit);
        }

        if (contact.Outcome == CallOutcome.Answered && contact.AgentId is not null)
        {
            state.State.LastAgentId = contact.AgentId;
        }

        await state.WriteStateAsync();
    }

    private CustomerProfile Profile()
    {
        var key = this.GetPrimaryKeyString();
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return new CustomerProfile
        {
            CustomerKey = key,
            TenantId = slash > 0 ? key[..slash] : TenantDefinition.DefaultTenantId,
            Name = state.State.Name,
            Tier = state.State.Tier,
            LastAgentId = state.State.LastAgentId,
            History = state.State.History.ToList(),
            Attributes = new Dictionary<string, string>(state.State.Attributes),
        };
    }
}
