namespace CallCenter.Web.Security;

/// <summary>
/// Headers every HTTP answer carries (gRPC's excepted): <c>X-Content-Type-Options: nosniff</c>, <c>X-Frame-Options:
/// DENY</c>, <c>Referrer-Policy: no-referrer</c> and a Content-Security-Policy that allows the page's own files only (no
/// inline script or style, no framing). The Orleans dashboard's pages are not ours: they get <c>frame-ancestors 'none'</c>
/// alone.
/// </summary>
public static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; " +
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public const string DashboardContentSecurityPolicy = "frame-ancestors 'none'";

    public static WebApplication UseSecurityHeaders(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            if (!GrpcRequests.IsGrpc(context))
            {
                var headers = context.Response.Headers;
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "no-referrer";
                headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments(Hosting.Observability.DashboardPath)
                    ? DashboardContentSecurityPolicy
                    : ContentSecurityPolicy;
            }

            return next(context);
        });
        return app;
    }
}
