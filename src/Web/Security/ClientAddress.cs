using System.Net;

namespace CallCenter.Web.Security;

/// <summary>
/// The client's address, without its port, as the throttles key it: a new connection (a new source port) is the same
/// client. Behind a configured proxy it is the address the proxy forwarded (<see cref="ForwardedHeadersHosting"/>).
/// </summary>
public static class ClientAddress
{
    public static string Of(HttpContext context) => Of(context.Connection.RemoteIpAddress);

    public static string Of(IPAddress? address) =>
        address is null ? "unknown" : (address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address).ToString();
}
