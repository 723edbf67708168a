#!/usr/bin/env python3
"""Generates the media the SIPp scenarios send (python3 standard library only; the outputs are committed).

  caller-tone.pcmu / caller-tone.pcma   1 s of 1000 Hz, raw G.711 (mu-law / A-law), for <exec rtp_stream> (loops cleanly)
  agent-tone.pcmu  / agent-tone.pcma    1 s of 600 Hz, raw G.711, what a SIPp agent phone sends
  caller-tone-pcmu.pcap / -pcma.pcap    the caller tone as 10 s of RTP (PT 0 / 8, 20 ms, 160 bytes) for <exec play_pcap_audio>

  dtmf-<key>-a.pcap / dtmf-<key>-b.pcap  one RFC 4733 key each (PT 101, volume 10, 7 packets 20 ms apart then 3 end
                                       packets, 140 ms): every file has an SSRC and a timestamp of its own, so that a
                                       receiver takes two presses of the same key in a row (played from the a and the b
                                       file) as two events; a single static file played twice is one event retransmitted
                                       (same SSRC, sequence numbers and timestamp), which is what SIPp's own pcaps do
  (<key> is 0-9, star or pound)

The dtmf_2833_*.pcap files beside this script are copies of the ones SIPp ships (/usr/share/sip-tester), kept for
reference; caller-dtmf.xml uses the dtmf-*-a/b files. Run from anywhere: python3 tests/sipp/media/make-media.py
"""
import math
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
RATE = 8000


def tone(frequency, seconds, amplitude=8000):
    n = int(RATE * seconds)
    return [int(round(amplitude * math.sin(2 * math.pi * frequency * i / RATE))) for i in range(n)]


def mulaw(sample):
    # ITU-T G.711 mu-law, as in the reference implementation (bias 0x84, clip 32635).
    sign = 0x80 if sample < 0 else 0
    magnitude = min(abs(sample), 32635) + 0x84
    exponent = 7
    mask = 0x4000
    while exponent > 0 and not magnitude & mask:
        exponent -= 1
        mask >>= 1
    mantissa = (magnitude >> (exponent + 3)) & 0x0F
    return ~(sign | (exponent << 4) | mantissa) & 0xFF


def alaw(sample):
    # ITU-T G.711 A-law on the 13-bit magnitude, even bits inverted (0x55).
    sign = 0x80 if sample >= 0 else 0
    magnitude = min(abs(sample) if sample >= 0 else abs(sample) - 1, 32767) >> 3
    if magnitude < 32:
        code = magnitude >> 1
    else:
        exponent = magnitude.bit_length() - 5
        code = (exponent << 4) | ((magnitude >> exponent) & 0x0F)
    return (sign | code) ^ 0x55


def write(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


def packet(out, seq, when, rtp):
    udp = struct.pack(">HHHH", 6000, 6002, 8 + len(rtp), 0) + rtp
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), seq & 0xFFFF, 0, 64, 17, 0,
                     bytes([127, 0, 0, 1]), bytes([127, 0, 0, 1]))
    checksum = sum(struct.unpack(">10H", ip))
    checksum = (checksum & 0xFFFF) + (checksum >> 16)
    checksum = (checksum & 0xFFFF) + (checksum >> 16)
    ip = ip[:10] + struct.pack(">H", ~checksum & 0xFFFF) + ip[12:]
    frame = b"\x00" * 12 + b"\x08\x00" + ip + udp
    seconds = int(when)
    out += struct.pack("<IIII", seconds, int(round((when - seconds) * 1_000_000)), len(frame), len(frame))
    out += frame


def pcap_header():
    return bytearray(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))


def dtmf_pcap(name, event, ssrc, seq, timestamp):
    """RFC 4733: 7 packets of growing duration (marker on the first), then the end packet three times, 20 ms apart."""
    out = pcap_header()
    when = 0.0
    for i in range(7):
        rtp = struct.pack(">BBHII", 0x80, 101 | (0x80 if i == 0 else 0), seq & 0xFFFF, timestamp, ssrc)
        rtp += struct.pack(">BBH", event, 10, 160 * (i + 1))
        packet(out, seq, when, rtp)
        seq, when = seq + 1, when + 0.020
    for _ in range(3):
        rtp = struct.pack(">BBHII", 0x80, 101, seq & 0xFFFF, timestamp, ssrc)
        rtp += struct.pack(">BBH", event, 0x80 | 10, 160 * 8)
        packet(out, seq, when, rtp)
    write(name, bytes(out))


def pcap(name, payload, payload_type, ssrc):
    """A classic pcap (Ethernet link type) of RTP packets from 127.0.0.1:6000 to 127.0.0.1:6002, 20 ms apart."""
    out = pcap_header()
    seq, timestamp, when = 1000, 16000, 0.0
    for offset in range(0, len(payload) - 159, 160):
        rtp = struct.pack(">BBHII", 0x80, payload_type | (0x80 if offset == 0 else 0), seq & 0xFFFF, timestamp, ssrc)
        rtp += payload[offset:offset + 160]
        packet(out, seq, when, rtp)
        seq, timestamp, when = seq + 1, timestamp + 160, when + 0.020
    write(name, bytes(out))


caller = tone(1000, 1.0)
agent = tone(600, 1.0)
write("caller-tone.pcmu", bytes(mulaw(s) for s in caller))
write("caller-tone.pcma", bytes(alaw(s) for s in caller))
write("agent-tone.pcmu", bytes(mulaw(s) for s in agent))
write("agent-tone.pcma", bytes(alaw(s) for s in agent))
long_caller = tone(1000, 10.0)
pcap("caller-tone-pcmu.pcap", bytes(mulaw(s) for s in long_caller), 0, 0x1000CA11)
pcap("caller-tone-pcma.pcap", bytes(alaw(s) for s in long_caller), 8, 0x1000CA11)
KEYS = {"0": 0, "1": 1, "2": 2, "3": 3, "4": 4, "5": 5, "6": 6, "7": 7, "8": 8, "9": 9, "star": 10, "pound": 11}
for index, (key, event) in enumerate(KEYS.items()):
    for variant, offset in (("a", 0), ("b", 1)):
        dtmf_pcap(f"dtmf-{key}-{variant}.pcap", event, 0x70000000 + 0x100 * index + offset,
                  seq=20000 + 1000 * (2 * index + offset), timestamp=400000 + 80000 * (2 * index + offset))
