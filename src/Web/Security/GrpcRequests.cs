using System.Net.Sockets;
using Grpc.Core;

namespace CallCenter.Web.Security;

/// <summary>How authentication and authorization answer a gRPC call before its method runs: a trailers-only status.</summary>
internal static class GrpcRequests
{
    public static bool IsGrpc(HttpContext context) =>
        context.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>The peer as gRPC's ServerCallContext.Peer spells it ("ipv4:127.0.0.1:5000"), for the audit log.</summary>
    public static string Peer(HttpContext context)
    {
        var connection = context.Connection;
        return connection.RemoteIpAddress switch
        {
            null => "unknown",
            { AddressFamily: AddressFamily.InterNetwork } address => $"ipv4:{address}:{connection.RemotePort}",
            { AddressFamily: AddressFamily.InterNetworkV6 } address => $"ipv6:[{address}]:{connection.RemotePort}",
            var address => $"unknown:{address}:{connection.RemotePort}",
        };
    }

    /// <summary>Ends the call with <paramref name="code"/> as the client sees an RpcException thrown by the method.</summary>
    public static Task WriteStatusAsync(HttpContext context, StatusCode code, string message)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/grpc";
        context.Response.Headers["grpc-status"] = ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture);
        context.Response.Headers["grpc-message"] = Uri.EscapeDataString(message);
        return Task.CompletedTask;
    }
}
