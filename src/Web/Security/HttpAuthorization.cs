using CallCenter.Web.Api;
using Microsoft.AspNetCore.Authorization;

namespace CallCenter.Web.Security;

/// <summary>Checks an HTTP handler makes on what it read from the body, with the policies' own requirement handlers.</summary>
internal static class HttpAuthorization
{
    /// <summary>A command naming an agent in its body: an agent may name only itself (null when allowed, else the 403).</summary>
    public static async Task<IResult?> ForbidOtherAgentAsync(HttpContext context, string? agentId)
    {
        var authorization = context.RequestServices.GetRequiredService<IAuthorizationService>();
        var result = await authorization.AuthorizeAsync(context.User, new AgentResource(agentId), new OwnAgentRequirement());
        return result.Succeeded
            ? null
            : HttpResults.Problem(StatusCodes.Status403Forbidden, result.Failure?.FailureReasons.FirstOrDefault()?.Message ?? "not allowed");
    }
}
