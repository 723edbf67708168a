using CallCenter.Web.Security;

namespace CallCenter.Tests.Security;

/// <summary>Pages and API answers carry a CSP without inline script or framing, nosniff and X-Frame-Options.</summary>
public sealed class SecurityHeadersTests
{
    [Fact]
    public async Task EveryHttpAnswer_CarriesTheSecurityHeaders()
    {
        await using var host = await SiloWebHost.StartAsync();
        using var http = host.CreateHttp();

        foreach (var path in new[] { "/", "/index.html", "/wallboard.js", "/wallboard.css", "/api/queues", "/health/live", "/no-such-page", "/wallboard" })
        {
            using var response = await http.GetAsync(path);
            var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
            Assert.Contains("frame-ancestors 'none'", csp);
            Assert.Contains("script-src 'self'", csp);
            Assert.DoesNotContain("unsafe-inline", csp);
            Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
            Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        }
    }

    /// <summary>The page needs nothing the policy forbids: no inline script, style or event handler.</summary>
    [Fact]
    public void ThePage_HasNoInlineScriptOrStyle()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(Path.Combine(root!.FullName, "CallCenter.Orleans.sln")))
        {
            root = root.Parent;
        }

        var page = File.ReadAllText(Path.Combine(root.FullName, "src", "Web", "wwwroot", "index.html"));
        Assert.DoesNotMatch(@"<script(?![^>]*\bsrc=)[^>]*>", page);
        Assert.DoesNotMatch(@"<style\b|\sstyle=|\son[a-z]+=", page);
        Assert.Contains("script-src 'self'", SecurityHeaders.ContentSecurityPolicy);
    }
}
