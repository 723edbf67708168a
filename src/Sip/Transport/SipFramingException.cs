namespace CallCenter.Sip.Transport;

/// <summary>The byte stream cannot be split into SIP messages; the connection has to be closed.</summary>
public sealed class SipFramingException : Exception
{
    public SipFramingException(string message)
        : base(message)
    {
    }
}
