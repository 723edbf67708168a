namespace CallCenter.Sip.Sdp;

/// <summary>
/// Malformed SDP. The SDP parser throws nothing else. A UAS answers an offer that fails to parse with
/// 488 Not Acceptable Here (or 400 when the body is not SDP at all); <see cref="LineNumber"/> points at
/// the offending line (1-based; 0 when the problem is the description as a whole).
/// </summary>
public sealed class SdpParseException : Exception
{
    public SdpParseException(string message, int lineNumber = 0)
        : base(lineNumber > 0 ? $"SDP line {lineNumber}: {message}" : $"SDP: {message}")
    {
        LineNumber = lineNumber;
    }

    public int LineNumber { get; }
}
