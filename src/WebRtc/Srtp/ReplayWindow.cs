namespace CallCenter.WebRtc.Srtp;

/// <summary>
/// The sliding replay window of RFC 3711 section 3.3.2: the highest index authenticated so far and a bit for each of the
/// 64 indices at or below it. <see cref="Check"/> runs before authentication, <see cref="Accept"/> only after.
/// </summary>
internal struct ReplayWindow
{
    public const int Size = 64;

    private bool _started;
    private long _highest;
    private ulong _seen; // bit n: index _highest - n was accepted

    public readonly SrtpStatus Check(long index)
    {
        if (!_started || index > _highest)
        {
            return SrtpStatus.Ok;
        }

        var behind = _highest - index;
        if (behind >= Size)
        {
            return SrtpStatus.TooOld;
        }

        return (_seen & (1UL << (int)behind)) != 0 ? SrtpStatus.Replayed : SrtpStatus.Ok;
    }

    public void Accept(long index)
    {
        if (!_started)
        {
            _started = true;
            _highest = index;
            _seen = 1;
            return;
        }

        if (index > _highest)
        {
            var ahead = index - _highest;
            _seen = ahead >= Size ? 1 : (_seen << (int)ahead) | 1;
            _highest = index;
            return;
        }

        _seen |= 1UL << (int)(_highest - index);
    }
}
