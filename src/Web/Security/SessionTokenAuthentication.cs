using System.Net;
using System.Text.Encodings.Web;
using CallCenter.Grains;
using CallCenter.Web.Api;
using Grpc.Core;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace CallCenter.Web.Security;

/// <summary>
/// The product's own authentication, for the HTTP API and the gRPC gateway alike. A request with
/// "Authorization: Bearer &lt;token&gt;" acts as the token's user (a session token of <see cref="SessionTokens"/>). An HTTP
/// request without one is the local operator (an admin) only from loopback and only while
/// <c>CallCenter:Http:AllowAnonymousLoopback</c> is true (the single-machine default); gRPC always needs a token.
/// A challenge is 401 over HTTP and UNAUTHENTICATED over gRPC (audited when a token was refused), with the reason.
/// </summary>
public sealed class SessionTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, IConfiguration configuration)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "SessionToken";
    public const string AllowAnonymousLoopbackKey = "CallCenter:Http:AllowAnonymousLoopback";
    private const string Bearer = "Bearer ";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (header.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase))
        {
            if (Context.RequestServices.GetService<SessionTokens>() is not { } tokens)
            {
                return AuthenticateResult.Fail(new TokenRefusedException("tokens are issued by the agent gateway, which is disabled"));
            }

            var check = tokens.Validate(header[Bearer.Length..].Trim());
            if (check.Principal is null)
            {
                return AuthenticateResult.Fail(new TokenRefusedException(check.Error ?? "invalid token"));
            }

            // Revocation lives in the user directory (one grain for the cluster), so a logout at one silo holds at every silo.
            var user = await Context.RequestServices.GetRequiredService<IGrainFactory>().GetGrain<IUserDirectoryGrain>(GrainKeys.Users).FindAsync(check.Principal.UserId);
            return user is not null && user.SessionEpoch == check.Principal.SessionEpoch
                ? Success(check.Principal)
                : AuthenticateResult.Fail(new TokenRefusedException(SessionRevocations.EndedMessage, SessionEnded: true));
        }

        // The Host must name loopback too: a page of another site that a rebinding DNS answer points at 127.0.0.1
        // still sends its own name.
        if (!GrpcRequests.IsGrpc(Context) && Context.Connection.RemoteIpAddress is { } remote && IPAddress.IsLoopback(remote)
            && StateChangeProtection.IsLoopbackName(Request.Host.Host)
            && configuration.GetValue(AllowAnonymousLoopbackKey, true))
        {
            return Success(Principal.LocalOperator);
        }

        return AuthenticateResult.NoResult();
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var refused = (await HandleAuthenticateOnceSafeAsync()).Failure as TokenRefusedException;
        if (GrpcRequests.IsGrpc(Context))
        {
            if (refused is not null)
            {
                Context.RequestServices.GetService<AuditLog>()?.Write("token", "refused", null, GrpcRequests.Peer(Context), refused.Message);
            }

            if (refused is { SessionEnded: true })
            {
                Context.Response.Headers[global::CallCenter.Gateway.Contracts.SessionTrailers.Ended] = "true";
            }

            await GrpcRequests.WriteStatusAsync(Context, StatusCode.Unauthenticated, refused?.Message ?? "no session token: log in first");
            return;
        }

        await HttpResults.Problem(StatusCodes.Status401Unauthorized, refused?.Message ?? "send 'Authorization: Bearer <token>' (log in through the agent gateway)")
            .ExecuteAsync(Context);
    }

    private AuthenticateResult Success(Principal principal) =>
        AuthenticateResult.Success(new AuthenticationTicket(new System.Security.Claims.ClaimsPrincipal(new SessionIdentity(principal, SchemeName)), SchemeName));

    /// <summary>A bearer token that is malformed, forged, expired, or that no gateway can check; the message says which.</summary>
    private sealed class TokenRefusedException(string message, bool SessionEnded = false) : Exception(message)
    {
        /// <summary>The token is valid but its session was revoked (not merely expired).</summary>
        public bool SessionEnded { get; } = SessionEnded;
    }
}
