namespace CallCenter.WebRtc.Stun;

/// <summary>One attribute as it was on the wire: its type and its value without the padding.</summary>
public readonly record struct StunAttribute(ushort Type, ReadOnlyMemory<byte> Value);
