using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace CallCenter.Wallboard.Tests;

/// <summary>
/// The wallboard in headless Chromium (the Debian package, never a downloaded browser) against the real silo process:
/// the page renders, its numbers follow calls as they arrive, a supervisor signs in and acts on an agent; each step
/// leaves a screenshot in the test output's screenshots folder.
/// </summary>
public sealed class WallboardPageTests : IAsyncLifetime
{
    private const string ChromiumPath = "/usr/bin/chromium";
    private static readonly string Screenshots = Path.Combine(AppContext.BaseDirectory, "screenshots");

    private SiloProcess _silo = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        Directory.CreateDirectory(Screenshots);

        // No demo traffic: agents start logged out and the test's own calls are the only ones, so the numbers are known.
        _silo = await StartSiloAsync();
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new() { ExecutablePath = ChromiumPath, Headless = true, Args = ["--no-sandbox"] });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (_silo is not null)
        {
            await _silo.DisposeAsync();
        }
    }

    [Fact]
    public async Task The_page_shows_live_numbers_and_a_signed_in_supervisor_forces_an_agent_not_ready_and_changes_skills()
    {
        var page = await _browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 1000 } });
        page.SetDefaultTimeout(20_000);
        Assertions.SetDefaultExpectTimeout(20_000);
        // The page works under its Content-Security-Policy: Chromium reports anything the policy blocks on the console.
        var blocked = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
            {
                lock (blocked)
                {
                    blocked.Add(message.Text);
                }
            }
        };
        var response = await page.GotoAsync($"http://127.0.0.1:{_silo.HttpPort}/wallboard");
        Assert.Contains("frame-ancestors 'none'", (await response!.AllHeadersAsync()).GetValueOrDefault("content-security-policy") ?? "");

        // Renders: a tile per queue, sites with agents by state, the routing view, the agents; the stream is live.
        var support = page.Locator("#queues .tile[data-queue='support']");
        await Expect(page.Locator("#connection")).ToHaveTextAsync("live");
        await Expect(page.Locator("#queues .tile")).ToHaveCountAsync(3);
        await Expect(support.Locator("[data-field='waiting']")).ToHaveTextAsync("0");
        await Expect(page.Locator("#sites .tile[data-site='london'] [data-state='LoggedOut']")).Not.ToHaveTextAsync("0");
        await Expect(page.Locator("#routing")).ToBeVisibleAsync();
        await Expect(page.Locator("#agents tr[data-agent='dave']")).ToHaveAttributeAsync("data-state", "LoggedOut");
        await Expect(page.Locator("#agents tr[data-agent='dave'] .act-notready")).ToBeDisabledAsync();
        await Shot(page, "1-rendered");

        // An agent comes in (over the API, as a desktop would): the page follows.
        Assert.Equal(HttpStatusCode.OK, (await _silo.Http.PostAsync("/api/agents/dave/login", null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _silo.Http.PostAsync("/api/agents/dave/available", null)).StatusCode);
        await Expect(page.Locator("#agents tr[data-agent='dave']")).ToHaveAttributeAsync("data-state", "Available");

        // The supervisor signs in on the page and forces dave NotReady: the agent's grain says so.
        await page.FillAsync("#login-user", "sam");
        await page.FillAsync("#login-secret", "sam-desk");
        await page.ClickAsync("#login-button");
        await Expect(page.Locator("#session")).ToHaveTextAsync("signed in as sam (Supervisor)");
        await Expect(page.Locator("#connection")).ToHaveTextAsync("live");
        await page.ClickAsync("#agents tr[data-agent='dave'] .act-notready");
        await Expect(page.Locator("#agents tr[data-agent='dave']")).ToHaveAttributeAsync("data-state", "NotReady");
        var dave = await AgentAsync("dave");
        Assert.Equal("NotReady", dave.GetProperty("presence").GetProperty("state").GetString());
        Assert.Equal("supervisor", dave.GetProperty("presence").GetProperty("reasonCode").GetString());
        await Shot(page, "2-forced-not-ready");

        // Calls arrive and nobody is available: waiting and the routing view rise on the page.
        for (var i = 0; i < 3; i++)
        {
            var placed = await _silo.Http.PostAsJsonAsync("/api/calls", new { siteId = "london", dialledNumber = "2000", callerNumber = $"+44163296000{i}" });
            Assert.Equal(HttpStatusCode.Created, placed.StatusCode);
        }

        await Expect(support.Locator("[data-field='waiting']")).ToHaveTextAsync("3");
        await Expect(page.Locator("#routing tbody tr[data-queue='support'][data-site='london'] td").Nth(2)).ToHaveTextAsync("3");
        await Expect(page.Locator("#sites .tile[data-site='london'] [data-state='NotReady']")).ToHaveTextAsync("1");
        await Shot(page, "3-calls-waiting");

        // The supervisor changes dave's skills on the page: the configuration holds the new skills.
        await page.ClickAsync("#agents tr[data-agent='dave'] .act-skills");
        await page.FillAsync("#skills-input", "support:9, sales:2");
        await page.ClickAsync("#skills-save");
        await Expect(page.Locator("#agents tr[data-agent='dave'] .skills")).ToHaveTextAsync("support:9, sales:2");
        var skills = (await AgentAsync("dave")).GetProperty("definition").GetProperty("skills").EnumerateArray()
            .Select(s => $"{s.GetProperty("skill").GetString()}:{s.GetProperty("proficiency").GetInt32()}").ToList();
        Assert.Equal(["support:9", "sales:2"], skills);

        // And logs dave out.
        await page.ClickAsync("#agents tr[data-agent='dave'] .act-logout");
        await Expect(page.Locator("#agents tr[data-agent='dave']")).ToHaveAttributeAsync("data-state", "LoggedOut");
        Assert.Equal("LoggedOut", (await AgentAsync("dave")).GetProperty("presence").GetProperty("state").GetString());
        await Expect(page.Locator("#message")).ToHaveTextAsync("dave: logged out");

        // The staffing tab answers: the forecast when the silo has it, a polite message when not.
        await page.ClickAsync(".tab[data-tab='staffing']");
        // The staffing tab: Erlang C for 100 calls per 30 min, AHT 180 s, 80 % in 20 s: 14 agents, 20 with 30 % shrinkage.
        await page.ClickAsync("#staffing-submit");
        var erlang = page.Locator("#staffing-figures");
        await Expect(erlang.Locator("th").First).ToHaveTextAsync("agents");
        await Expect(erlang.Locator("tbody tr td").First).ToHaveTextAsync("14");
        await Expect(erlang).ToContainTextAsync("agentsWithShrinkage");

        // The next-day forecast of a queue (no history yet in a fresh silo: intervals of zero calls).
        await Expect(page.Locator("#forecast-queue option")).ToHaveCountAsync(3);
        await page.SelectOptionAsync("#forecast-queue", "support");
        await page.ClickAsync("#forecast-submit");
        await Expect(page.Locator("#forecast-figures")).ToContainTextAsync("support");
        await Expect(page.Locator("#forecast-figures")).ToContainTextAsync("intervals");
        await Shot(page, "4-staffing");

        lock (blocked)
        {
            Assert.True(blocked.Count == 0, "the Content-Security-Policy blocked:\n" + string.Join("\n", blocked));
        }

        foreach (var name in new[] { "1-rendered", "2-forced-not-ready", "3-calls-waiting", "4-staffing" })
        {
            var file = new FileInfo(Path.Combine(Screenshots, $"{name}.png"));
            Assert.True(file.Exists && file.Length > 0, $"screenshot {file.FullName} is missing or empty");
        }
    }

    [Fact]
    public async Task The_http_login_shares_the_gateway_login_and_only_supervisors_change_skills()
    {
        var wrong = await _silo.Http.PostAsJsonAsync("/api/session/login", new { userId = "sam", secret = "nope" });
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);

        var login = await _silo.Http.PostAsJsonAsync("/api/session/login", new { userId = "sam", secret = "sam-desk" });
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var session = await login.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Supervisor", session.GetProperty("role").GetString());
        var token = session.GetProperty("token").GetString();

        // The token works on the stream; a forged one does not.
        using var stream = new HttpRequestMessage(HttpMethod.Get, "/api/wallboard/stream");
        stream.Headers.Authorization = new("Bearer", token);
        using var streaming = await _silo.Http.SendAsync(stream, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, streaming.StatusCode);
        Assert.Equal("text/event-stream", streaming.Content.Headers.ContentType?.MediaType);
        using (var reader = new StreamReader(await streaming.Content.ReadAsStreamAsync()))
        {
            var first = await reader.ReadLineAsync();
            Assert.StartsWith("data: {", first);
            Assert.Contains("\"viewer\":\"sam\"", first);
        }

        using var forged = new HttpRequestMessage(HttpMethod.Get, "/api/wallboard");
        forged.Headers.Authorization = new("Bearer", token + "x");
        Assert.Equal(HttpStatusCode.Unauthorized, (await _silo.Http.SendAsync(forged)).StatusCode);

        // A bad skill changes nothing and says why.
        using var bad = new HttpRequestMessage(HttpMethod.Put, "/api/agents/erin/skills") { Content = JsonContent.Create(new { skills = new[] { new { skill = "support", proficiency = 11 } } }) };
        bad.Headers.Authorization = new("Bearer", token);
        var refused = await _silo.Http.SendAsync(bad);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("1 to 10", await refused.Content.ReadAsStringAsync());

        // An agent's token may not change skills, not even its own.
        var agentLogin = await (await _silo.Http.PostAsJsonAsync("/api/session/login", new { userId = "erin", secret = "erin-desk" })).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Agent", agentLogin.GetProperty("role").GetString());
        using var own = new HttpRequestMessage(HttpMethod.Put, "/api/agents/erin/skills") { Content = JsonContent.Create(new { skills = new[] { new { skill = "sales", proficiency = 10 } } }) };
        own.Headers.Authorization = new("Bearer", agentLogin.GetProperty("token").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await _silo.Http.SendAsync(own)).StatusCode);

        // The same throttle as the desktop's login (5 failures per user, 50 per client address, each locking separately
        // since issue 13: sam's wrong secret above counts for sam and the address, not for admin): then even the right
        // secret is refused.
        var failures = 0;
        while ((await _silo.Http.PostAsJsonAsync("/api/session/login", new { userId = "admin", secret = "guess" })).StatusCode == HttpStatusCode.Unauthorized)
        {
            Assert.True(++failures <= 5, "no lockout after 5 failed logins");
        }

        Assert.Equal(5, failures);

        Assert.Equal(HttpStatusCode.TooManyRequests, (await _silo.Http.PostAsJsonAsync("/api/session/login", new { userId = "admin", secret = "admin-desk" })).StatusCode);
        Assert.Contains("\"action\":\"login\",\"outcome\":\"locked-out\",\"user\":\"admin\",\"source\":\"127.0.0.1\"", await File.ReadAllTextAsync(AuditLogPath()));
    }

    [Fact]
    public async Task A_queue_below_its_service_level_target_stands_out()
    {
        // Support's threshold becomes 1 s, so a call answered after waiting misses it: 0 of 1 within threshold.
        var support = (await _silo.Http.GetFromJsonAsync<JsonElement>("/api/queues/support")).GetProperty("definition");
        var changed = JsonNode.Parse(support.GetRawText())!.AsObject();
        changed["serviceLevelThresholdSeconds"] = 1;
        Assert.Equal(HttpStatusCode.OK, (await _silo.Http.PutAsync("/api/admin/queues/support", new StringContent(changed.ToJsonString(), Encoding.UTF8, "application/json"))).StatusCode);

        var page = await OpenAsync();
        var tile = page.Locator("#queues .tile[data-queue='support']");
        await Expect(tile).ToHaveAttributeAsync("data-alert", "Ok");
        var placed = await _silo.Http.PostAsJsonAsync("/api/calls", new { siteId = "london", dialledNumber = "2000", callerNumber = "+441632960009" });
        var callId = (await placed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("callId").GetString();

        // Waiting past the threshold: at risk before anything is measured.
        await Expect(tile).ToHaveAttributeAsync("data-alert", "AtRisk");
        await Expect(tile.Locator(".alert")).ToHaveTextAsync("at risk");

        // Carol (support 9) comes in, is offered the call and accepts it late: the service level is 0 %, below 80 %.
        await _silo.Http.PostAsync("/api/agents/carol/login", null);
        await _silo.Http.PostAsync("/api/agents/carol/available", null);
        await Expect(page.Locator("#agents tr[data-agent='carol']")).ToHaveAttributeAsync("data-state", "Reserved");
        var offer = (await AgentAsync("carol")).GetProperty("offer");
        Assert.Equal(callId, offer.GetProperty("callId").GetString());
        var accepted = await _silo.Http.PostAsJsonAsync($"/api/calls/{callId}/accept", new { agentId = "carol", epoch = offer.GetProperty("epoch").GetInt64() });
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);

        await Expect(tile).ToHaveAttributeAsync("data-alert", "Breaching");
        await Expect(tile).ToHaveClassAsync(new Regex(@"\bbreaching\b"));
        await Expect(tile.Locator(".alert")).ToHaveTextAsync("SL BREACH");
        await Expect(tile.Locator("[data-field='serviceLevel']")).ToContainTextAsync("0% / 80%");
        await Expect(tile.Locator("[data-field='answered']")).ToHaveTextAsync("1 / 1");
        await Shot(page, "5-sl-breach");
        Assert.True(new FileInfo(Path.Combine(Screenshots, "5-sl-breach.png")).Length > 0);
    }

    [Fact]
    public async Task Without_anonymous_access_the_page_asks_for_a_login_first()
    {
        // As a page opened from another machine sees it: no anonymous access at all.
        await _silo.DisposeAsync();
        _silo = await StartSiloAsync(new Dictionary<string, string> { ["CallCenter__Http__AllowAnonymousLoopback"] = "false" });

        var page = await OpenAsync(expectLive: false);
        await Expect(page.Locator("#connection")).ToHaveTextAsync("sign in needed");
        await Expect(page.Locator("#queues .tile")).ToHaveCountAsync(0);
        await Shot(page, "6-login-required");

        await page.FillAsync("#login-user", "alice");
        await page.FillAsync("#login-secret", "alice-desk");
        await page.ClickAsync("#login-button");
        await Expect(page.Locator("#message")).ToContainTextAsync("for supervisors");
        await Expect(page.Locator("#connection")).ToHaveTextAsync("sign in needed");

        await page.FillAsync("#login-secret", "wrong");
        await page.FillAsync("#login-user", "sam");
        await page.ClickAsync("#login-button");
        await Expect(page.Locator("#message")).ToContainTextAsync("wrong user id or secret");

        await page.FillAsync("#login-secret", "sam-desk");
        await page.ClickAsync("#login-button");
        await Expect(page.Locator("#connection")).ToHaveTextAsync("live");
        await Expect(page.Locator("#queues .tile")).ToHaveCountAsync(3);
        await Shot(page, "7-signed-in");
        Assert.True(new FileInfo(Path.Combine(Screenshots, "6-login-required.png")).Length > 0);
        Assert.True(new FileInfo(Path.Combine(Screenshots, "7-signed-in.png")).Length > 0);
    }

    private static async Task<SiloProcess> StartSiloAsync(IDictionary<string, string>? environment = null)
    {
        var silo = SiloProcess.Start(environment);
        await silo.WaitUntilReadyAsync();
        return silo;
    }

    private async Task<IPage> OpenAsync(bool expectLive = true)
    {
        var page = await _browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 1000 } });
        page.SetDefaultTimeout(20_000);
        Assertions.SetDefaultExpectTimeout(20_000);
        await page.GotoAsync($"http://127.0.0.1:{_silo.HttpPort}/");
        if (expectLive)
        {
            await Expect(page.Locator("#connection")).ToHaveTextAsync("live");
        }

        return page;
    }

    /// <summary>The audit log the silo writes (relative <c>audit.log</c>: in its working directory, the build output).</summary>
    private static string AuditLogPath() => Path.Combine(SiloProcess.BuildDirectory("Silo", "CallCenter.Silo.dll"), "audit.log");

    private async Task<JsonElement> AgentAsync(string id) => await _silo.Http.GetFromJsonAsync<JsonElement>($"/api/agents/{id}");

    private static Task Shot(IPage page, string name) => page.ScreenshotAsync(new() { Path = Path.Combine(Screenshots, $"{name}.png"), FullPage = true });
}
