using CallCenter.Model;
using CallCenter.Web.Security;
using Grpc.Core;
using Proto = CallCenter.Gateway.V1;

namespace CallCenter.Web.Gateway;

/// <summary>Authentication and authorization for the gRPC services: the token in the metadata, the shared access policy, the audit log.</summary>
public sealed class GatewaySecurity(SessionTokens tokens, LoginThrottle throttle, AuditLog audit)
{
    public SessionTokens Tokens => tokens;

    public LoginThrottle Throttle => throttle;

    public AuditLog Audit => audit;

    /// <summary>The caller of an RPC, from "authorization: Bearer &lt;token&gt;"; UNAUTHENTICATED otherwise.</summary>
    public Principal Authenticate(ServerCallContext context)
    {
        var header = context.RequestHeaders.GetValue("authorization");
        const string Bearer = "Bearer ";
        if (header is null || !header.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase))
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "no session token: log in first"));
        }

        var check = tokens.Validate(header[Bearer.Length..].Trim());
        if (check.Principal is null)
        {
            audit.Write("token", "refused", null, context.Peer, check.Error);
            throw new RpcException(new Status(StatusCode.Unauthenticated, check.Error ?? "invalid token"));
        }

        return check.Principal;
    }

    /// <summary>Throws PERMISSION_DENIED (and audits) unless <paramref name="decision"/> allows.</summary>
    public void Require(AccessDecision decision, Principal principal, ServerCallContext context, string action)
    {
        if (decision.Allowed)
        {
            return;
        }

        audit.Write(action, "denied", principal.UserId, context.Peer, decision.Reason);
        throw new RpcException(new Status(StatusCode.PermissionDenied, decision.Reason ?? "not allowed"));
    }

    /// <summary>The agent a desk RPC acts as; PERMISSION_DENIED for users without a desk.</summary>
    public (Principal Principal, string AgentId) AuthenticateDesk(ServerCallContext context, string action)
    {
        var principal = Authenticate(context);
        Require(AccessPolicy.ForAgentDesk(principal), principal, context, action);
        return (principal, principal.AgentId!);
    }

    public static void RequireId(string? id, string field)
    {
        if (string.IsNullOrWhiteSpace(id) || id.Length > 128 || id.Any(char.IsControl))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"{field} must be 1 to 128 printable characters"));
        }
    }

    /// <summary>A grain command's result as a reply, or the matching gRPC status (nothing changed then).</summary>
    public static Proto.CommandReply Reply(CommandResult result) => result.Status switch
    {
        CommandStatus.Ok => new Proto.CommandReply { Message = result.Message ?? "" },
        CommandStatus.AlreadyDone => new Proto.CommandReply { AlreadyDone = true, Message = result.Message ?? "" },
        CommandStatus.NotFound => throw new RpcException(new Status(StatusCode.NotFound, result.Message ?? "not found")),
        CommandStatus.InvalidArgument => throw new RpcException(new Status(StatusCode.InvalidArgument, result.Message ?? "invalid argument")),
        _ => throw new RpcException(new Status(StatusCode.FailedPrecondition, result.Message ?? result.Status.ToString())),
    };
}
