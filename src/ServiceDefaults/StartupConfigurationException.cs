namespace CallCenter.ServiceDefaults;

/// <summary>A setting the silo cannot start without is missing or wrong; the message names it.</summary>
public sealed class StartupConfigurationException(string message) : Exception(message);
