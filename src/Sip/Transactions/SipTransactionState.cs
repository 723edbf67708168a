namespace CallCenter.Sip.Transactions;

/// <summary>The states of the RFC 3261 section 17 state machines (each machine uses a subset).</summary>
public enum SipTransactionState
{
    /// <summary>INVITE client: request sent, nothing received.</summary>
    Calling,

    /// <summary>Non-INVITE client: request sent, nothing received. Non-INVITE server: request received, no response yet.</summary>
    Trying,

    Proceeding,

    Completed,

    /// <summary>INVITE server: ACK received for a non-2xx final response.</summary>
    Confirmed,

    Terminated,
}
