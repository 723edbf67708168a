namespace CallCenter.Grains;

/// <summary>Names of the storage providers the grains use.</summary>
public static class StorageNames
{
    public const string State = "callcenter";
}
