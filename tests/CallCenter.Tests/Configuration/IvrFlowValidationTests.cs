using System.Text.Json;
using CallCenter.Domain.Configuration;
using CallCenter.Model;
using CallCenter.Web.Hosting;

namespace CallCenter.Tests.Configuration;

/// <summary>IVR flows are part of the configuration and validated whole with it: each bad field is named the way the JSON spells it.</summary>
public sealed class IvrFlowValidationTests
{
    /// <summary>The example of docs/operations.md: two tenants, each number with its flow, opening hours and holidays.</summary>
    internal const string ExampleJson = """
        {
          "tenants": [ { "id": "acme", "name": "Acme" } ],
          "sites": [ { "id": "london", "name": "London" } ],
          "skills": [ "support" ],
          "queues": [
            { "id": "support", "name": "Support", "stages": [ { "afterSeconds": 0, "scope": "OwnSite" } ] },
            { "id": "sales", "name": "Sales", "stages": [ { "afterSeconds": 0, "scope": "OwnSite" } ] },
            { "id": "acme-help", "name": "Acme help", "tenantId": "acme", "stages": [ { "afterSeconds": 0, "scope": "OwnSite" } ],
              "overflow": { "kind": "Disconnect", "afterSeconds": 300, "announcementId": "all-busy" } }
          ],
          "ivrFlows": [
            { "id": "main-menu", "greeting": "welcome", "menuPrompt": "menu",
              "menu": { "1": "sales", "2": "support" }, "menuAttempts": 3, "defaultQueueId": "support" },
            { "id": "acme-hours", "tenantId": "acme", "greeting": "welcome", "collectDigits": 4,
              "collectPrompt": "enter-account", "collectInto": "account", "ringSeconds": 2,
              "hours": {
                "timeZone": "Europe/London",
                "open": [ { "days": [ "Mon", "Tue", "Wed", "Thu", "Fri" ], "from": "08:00", "to": "18:00" },
                          { "days": [ "Saturday" ], "from": "09:00", "to": "13:00" } ],
                "holidays": [ "2026-12-25", "2026-12-26", "2027-01-01" ],
                "closedPrompt": "closed",
                "whenClosed": "Callback"
              } }
          ],
          "entryPoints": [
            { "dialledNumber": "4000", "queueId": "support", "ivrFlowId": "main-menu" },
            { "dialledNumber": "4100", "queueId": "acme-help", "tenantId": "acme", "ivrFlowId": "acme-hours" }
          ]
        }
        """;

    private static ContactCenterConfiguration Example() => JsonSerializer.Deserialize<ContactCenterConfiguration>(ExampleJson, JsonDefaults.Options)!;

    private static IReadOnlyList<string> Fields(ContactCenterConfiguration configuration) =>
        ConfigurationValidator.Validate(configuration).Select(error => error.Field).ToList();

    [Fact]
    public void Example_ReadsAsTheAdminApiReadsIt_AndIsValid()
    {
        var example = Example();

        Assert.Empty(ConfigurationValidator.Validate(example));
        var hours = example.IvrFlows[1].Hours!;
        Assert.Equal(ClosedAction.Callback, hours.WhenClosed);
        Assert.Equal("acme-hours", example.EntryPoints[1].IvrFlowId);
        Assert.Equal("sales", example.IvrFlows[0].Menu["1"]);
    }

    [Fact]
    public void DemoConfiguration_HasTheIvrNumbers()
    {
        var demo = ConfigurationSeeder.Load(Path.Combine(AppContext.BaseDirectory, "demo-callcenter.json"));

        Assert.Equal("main-menu", demo.EntryPoints.Single(e => e.DialledNumber == "4000").IvrFlowId);
        Assert.Equal(4, demo.IvrFlows.Single(f => f.Id == demo.EntryPoints.Single(e => e.DialledNumber == "5000").IvrFlowId).CollectDigits);
    }

    [Fact]
    public void EachBadFlowField_IsNamed()
    {
        var example = Example();
        var flow = example.IvrFlows[0] with
        {
            Greeting = "../etc/passwd",
            MenuPrompt = "",
            CollectDigits = 33,
            CollectInto = " ",
            Menu = new Dictionary<string, string> { ["12"] = "support", ["3"] = "nowhere", ["4"] = "acme-help" },
            MenuAttempts = 0,
            DefaultQueueId = "acme-help",
            RingSeconds = -1,
        };

        Assert.Equal(
            [
                "ivrFlows[0].greeting", "ivrFlows[0].menuPrompt", "ivrFlows[0].collectDigits", "ivrFlows[0].collectInto",
                "ivrFlows[0].menu['12']", "ivrFlows[0].menu['3']", "ivrFlows[0].menu['4']", "ivrFlows[0].menuAttempts",
                "ivrFlows[0].defaultQueueId", "ivrFlows[0].ringSeconds",
            ],
            Fields(example with { IvrFlows = [flow, example.IvrFlows[1]] }));
    }

    [Fact]
    public void EachBadHoursField_IsNamed()
    {
        var example = Example();
        var hours = example.IvrFlows[1].Hours! with
        {
            TimeZone = "Mars/Olympus_Mons",
            Open =
            [
                new OpeningHours { Days = ["Funday"], From = "25:00", To = "18:00" },
                new OpeningHours { Days = [], From = "18:00", To = "08:00" },
                new OpeningHours { Days = ["Mon"], From = "8:00", To = "24:01" },
            ],
            Holidays = ["2026-13-01", "25/12/2026"],
            ClosedPrompt = "closed prompt",
            WhenClosed = (ClosedAction)7,
            VoicemailSeconds = 1,
        };

        Assert.Equal(
            [
                "ivrFlows[1].hours.timeZone",
                "ivrFlows[1].hours.open[0].days[0]", "ivrFlows[1].hours.open[0].from",
                "ivrFlows[1].hours.open[1].days", "ivrFlows[1].hours.open[1].to",
                "ivrFlows[1].hours.open[2].from", "ivrFlows[1].hours.open[2].to",
                "ivrFlows[1].hours.holidays[0]", "ivrFlows[1].hours.holidays[1]",
                "ivrFlows[1].hours.closedPrompt", "ivrFlows[1].hours.whenClosed", "ivrFlows[1].hours.voicemailSeconds",
            ],
            Fields(example with { IvrFlows = [example.IvrFlows[0], example.IvrFlows[1] with { Hours = hours }] }));
    }

    [Fact]
    public void HoursWithoutOpeningHours_IsAnError_AnAlwaysClosedLineIsAMistake()
    {
        var example = Example();
        var flow = example.IvrFlows[1] with { Hours = example.IvrFlows[1].Hours! with { Open = [] } };

        Assert.Equal(["ivrFlows[1].hours.open"], Fields(example with { IvrFlows = [example.IvrFlows[0], flow] }));
    }

    [Fact]
    public void EntryPointFlows_MustExist_AndBelongToTheEntryPointsTenant()
    {
        var example = Example();
        var entryPoints = new List<EntryPoint>
        {
            example.EntryPoints[0] with { IvrFlowId = "nope" },
            example.EntryPoints[1] with { IvrFlowId = "main-menu" },
        };

        var errors = ConfigurationValidator.Validate(example with { EntryPoints = entryPoints });

        Assert.Equal(["entryPoints[0].ivrFlowId", "entryPoints[1].ivrFlowId"], errors.Select(e => e.Field));
        Assert.Contains("unknown IVR flow 'nope'", errors[0].Message);
        Assert.Contains("belongs to tenant 'default', not 'acme'", errors[1].Message);
    }

    [Fact]
    public void FlowIds_AreUniqueAndPresent_AndTheTenantKnown()
    {
        var example = Example();
        var flows = new List<IvrFlow> { example.IvrFlows[0], example.IvrFlows[0], example.IvrFlows[1] with { Id = " ", TenantId = "initech" } };

        Assert.Equal(["ivrFlows[1].id", "ivrFlows[2].id", "ivrFlows[2].tenantId", "entryPoints[1].ivrFlowId"], Fields(example with { IvrFlows = flows }));
    }

    [Fact]
    public void OverflowAnnouncement_MustBeAPromptName()
    {
        var example = Example();
        var queue = example.Queues[2] with { Overflow = example.Queues[2].Overflow! with { AnnouncementId = "../../secret" } };

        Assert.Equal(["queues[2].overflow.announcementId"], Fields(example with { Queues = [example.Queues[0], example.Queues[1], queue] }));
    }

    [Fact]
    public void UnknownJsonMember_InAFlow_IsRefusedByTheReader()
    {
        var json = ExampleJson.Replace("\"menuAttempts\": 3", "\"menuAttempts\": 3, \"menuTries\": 4", StringComparison.Ordinal);

        var error = Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<ContactCenterConfiguration>(json, JsonDefaults.Options));
        Assert.Contains("menuTries", error.Message);
    }
}
