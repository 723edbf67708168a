using CallCenter.Model;
using Grpc.Core;
using Proto = CallCenter.Gateway.V1;

namespace CallCenter.Web.Gateway;

/// <summary>Argument checks and grain results as gRPC replies or statuses, in one place.</summary>
public static class GatewayReplies
{
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
