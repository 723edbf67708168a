using CallCenter.Domain.Configuration;
using CallCenter.Model;
using CallCenter.Web.Hosting;

namespace CallCenter.Tests.Configuration;

public sealed class ConfigurationValidatorTests
{
    private static string DemoFile => Path.Combine(AppContext.BaseDirectory, "demo-callcenter.json");

    internal static ContactCenterConfiguration Valid() => new()
    {
        Sites = [new SiteDefinition { Id = "north", Name = "North" }],
        Skills = ["sales"],
        ReasonCodes = ["break"],
        Queues = [new QueueDefinition { Id = "q", Name = "Q", RequiredSkills = [new("sales", 5)] }],
        Agents = [new AgentDefinition { Id = "a", Name = "A", SiteId = "north", Skills = [new("sales", 6)] }],
        EntryPoints = [new EntryPoint { DialledNumber = "100", QueueId = "q" }],
    };

    private static IReadOnlyList<string> Fields(ContactCenterConfiguration configuration) =>
        ConfigurationValidator.Validate(configuration).Select(error => error.Field).ToList();

    [Fact]
    public void Validate_DemoConfiguration_HasNoErrors() =>
        Assert.Empty(ConfigurationValidator.Validate(ConfigurationSeeder.Load(DemoFile)));

    [Fact]
    public void Validate_Valid_HasNoErrors() => Assert.Empty(ConfigurationValidator.Validate(Valid()));

    [Fact]
    public void Validate_DuplicateIds_NameTheSecond()
    {
        var config = Valid() with { Agents = [.. Valid().Agents, Valid().Agents[0]] };
        var error = Assert.Single(ConfigurationValidator.Validate(config));
        Assert.Equal("agents[1].id", error.Field);
        Assert.Contains("twice", error.Message);
    }

    [Fact]
    public void Validate_UnknownReferences_NameEachField()
    {
        var config = Valid() with
        {
            Agents = [Valid().Agents[0] with { SiteId = "mars", Skills = [new("juggling", 5)] }],
            EntryPoints = [new EntryPoint { DialledNumber = "100", QueueId = "nope" }],
        };
        Assert.Equal(["agents[0].siteId", "agents[0].skills[0].skill", "entryPoints[0].queueId"], Fields(config));
    }

    [Fact]
    public void Validate_SiteIdWithTheCallIdSeparator_IsAnError() =>
        Assert.Equal(["sites[0].id"], Fields(Valid() with { Sites = [new SiteDefinition { Id = "no~rth", Name = "North" }], Agents = [], }));

    [Theory]
    [InlineData(0)]
    [InlineData(11)]
    public void Validate_ProficiencyOutOfRange_IsAnError(int proficiency) =>
        Assert.Equal(["agents[0].skills[0].proficiency"], Fields(Valid() with { Agents = [Valid().Agents[0] with { Skills = [new("sales", proficiency)] }] }));

    [Fact]
    public void Validate_BadQueueFigures_NameEachField()
    {
        var queue = Valid().Queues[0] with
        {
            ServiceLevelTarget = 80,
            AcceptTimeoutSeconds = 0,
            MaxQueueLength = 0,
            Stages = [new() { AfterSeconds = 5 }, new() { AfterSeconds = 2 }],
        };
        Assert.Equal(
            ["queues[0].serviceLevelTarget", "queues[0].acceptTimeoutSeconds", "queues[0].maxQueueLength", "queues[0].stages[0].afterSeconds", "queues[0].stages[1].afterSeconds"],
            Fields(Valid() with { Queues = [queue] }));
    }

    [Fact]
    public void Validate_OverflowToItselfOrNowhere_IsAnError()
    {
        var toSelf = Valid().Queues[0] with { Overflow = new OverflowAction { Kind = OverflowKind.Queue, AfterSeconds = 60, TargetQueueId = "q" } };
        Assert.Equal(["queues[0].overflow.targetQueueId"], Fields(Valid() with { Queues = [toSelf] }));
        var disconnect = Valid().Queues[0] with { Overflow = new OverflowAction { Kind = OverflowKind.Disconnect, AfterSeconds = 60 } };
        Assert.Equal(["queues[0].overflow.announcementId"], Fields(Valid() with { Queues = [disconnect] }));
    }

    [Fact]
    public void Validate_PartnerExpertWithoutOrganisation_IsAnError() =>
        Assert.Equal(["agents[0].partnerOrganization"], Fields(Valid() with { Agents = [Valid().Agents[0] with { Kind = AgentKind.PartnerExpert }] }));

    [Theory]
    [InlineData("alice@example.com")]
    [InlineData("sip:")]
    [InlineData("sip:alice @example.com")]
    [InlineData("http://example.com")]
    public void Validate_PhoneUriThatIsNotSipOrTel_IsAnError(string phoneUri) =>
        Assert.Equal(["agents[0].phoneUri"], Fields(Valid() with { Agents = [Valid().Agents[0] with { PhoneUri = phoneUri }] }));

    [Theory]
    [InlineData("sip:alice@192.0.2.10:5062")]
    [InlineData("tel:+441234567890")]
    public void Validate_SipOrTelPhoneUri_IsAccepted(string phoneUri) =>
        Assert.Empty(Fields(Valid() with { Agents = [Valid().Agents[0] with { PhoneUri = phoneUri }] }));

    [Fact]
    public void Validate_TwoVoiceCalls_IsAnError() =>
        Assert.Equal(["agents[0].capacities[0].capacity"], Fields(Valid() with { Agents = [Valid().Agents[0] with { Capacities = [new(Channel.Voice, 2)] }] }));

    [Fact]
    public void Validate_EntryPointOfAnotherTenantsQueue_IsAnError()
    {
        var config = Valid() with
        {
            Tenants = [new TenantDefinition { Id = "blue", Name = "Blue" }],
            EntryPoints = [new EntryPoint { DialledNumber = "100", QueueId = "q", TenantId = "blue" }],
        };
        Assert.Equal(["entryPoints[0].queueId"], Fields(config));
    }

    [Fact]
    public void CandidateQueues_IncludeOwnTenantAndSharedPools_AndEntitledPartnersOnly()
    {
        QueueDefinition[] queues =
        [
            new() { Id = "mine", Name = "Mine" },
            new() { Id = "theirs", Name = "Theirs", TenantId = "blue" },
            new() { Id = "shared", Name = "Shared", TenantId = "blue", SharedPoolTenants = ["default"] },
            new() { Id = "experts", Name = "Experts", EntitledPartners = ["acme"] },
        ];
        var staff = new AgentDefinition { Id = "a", Name = "A", SiteId = "n" };
        var expert = staff with { Kind = AgentKind.PartnerExpert, PartnerOrganization = "acme" };

        Assert.Equal(["mine", "shared", "experts"], QueueMembership.CandidateQueues(staff, queues));
        Assert.Equal(["experts"], QueueMembership.CandidateQueues(expert, queues));
    }
}
