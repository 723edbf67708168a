using CallCenter.Web.Api;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;

namespace CallCenter.Web.Security;

/// <summary>
/// How a refused request is answered, with the policy's reason: over HTTP a 403 problem (404 for an admin asking for a
/// call that does not exist); over gRPC PERMISSION_DENIED, audited with the method's <see cref="AuditActionAttribute"/>.
/// A request without a session is challenged by <see cref="SessionTokenAuthenticationHandler"/>.
/// </summary>
internal sealed class AuthorizationResults(AuditLog? audit = null) : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (!authorizeResult.Forbidden)
        {
            await _default.HandleAsync(next, context, policy, authorizeResult);
            return;
        }

        var reason = authorizeResult.AuthorizationFailure?.FailureReasons.FirstOrDefault();
        var message = reason?.Message ?? "not allowed";
        if (GrpcRequests.IsGrpc(context))
        {
            var action = context.GetEndpoint()?.Metadata.GetMetadata<AuditActionAttribute>()?.Action ?? context.Request.Path.Value ?? "";
            audit?.Write(action, "denied", context.User.SessionPrincipal()?.UserId, GrpcRequests.Peer(context), message);
            await GrpcRequests.WriteStatusAsync(context, StatusCode.PermissionDenied, message);
            return;
        }

        var status = reason is NotFoundFailureReason ? StatusCodes.Status404NotFound : StatusCodes.Status403Forbidden;
        await HttpResults.Problem(status, message).ExecuteAsync(context);
    }
}

/// <summary>The action a gRPC method is audited as when it is refused ("accept", "force-logout").</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class AuditActionAttribute(string action) : Attribute
{
    public string Action => action;
}
