using CallCenter.Web.Security;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;

namespace CallCenter.Web.Gateway;

/// <summary>
/// The checks a gRPC method makes once it has found what it acts on (a call's snapshot, an agent's tenant): the same
/// requirement handlers as the policies, through <see cref="IAuthorizationService"/>; a refusal is audited and is
/// PERMISSION_DENIED. Who the caller is and what role it needs are settled before the method runs, by the service's
/// <c>[Authorize(Policy = ...)]</c>.
/// </summary>
public sealed class GatewayAuthorization(IAuthorizationService authorization, AuditLog audit)
{
    public AuditLog Audit => audit;

    /// <summary>The caller of a method whose policy has authenticated it.</summary>
    public static Principal Caller(ServerCallContext context) => context.GetHttpContext().User.RequiredSessionPrincipal();

    /// <summary>Throws PERMISSION_DENIED, audited as the method's <see cref="AuditActionAttribute"/>, unless <paramref name="requirement"/> holds for <paramref name="resource"/>.</summary>
    public async Task RequireAsync(ServerCallContext context, object resource, IAuthorizationRequirement requirement)
    {
        var http = context.GetHttpContext();
        var user = http.User;
        var result = await authorization.AuthorizeAsync(user, resource, requirement);
        if (result.Succeeded)
        {
            return;
        }

        var reason = result.Failure?.FailureReasons.FirstOrDefault()?.Message ?? "not allowed";
        var action = http.GetEndpoint()?.Metadata.GetMetadata<AuditActionAttribute>()?.Action ?? context.Method;
        audit.Write(action, "denied", user.SessionPrincipal()?.UserId, context.Peer, reason);
        throw new RpcException(new Status(StatusCode.PermissionDenied, reason));
    }
}
