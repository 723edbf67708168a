namespace CallCenter;

/// <summary>Keys of the singleton grains, in one place.</summary>
public static class GrainKeys
{
    public const string Configuration = "default";
    public const string RoutingView = "global";
    public const string Users = "users";
    public const string PhoneAccounts = "phones";
}
