using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace CallCenter.Sip.Transport;

/// <summary>
/// Splits a byte stream into SIP messages (RFC 3261 section 18.3): the header section ends at the
/// first empty line and Content-Length, which is mandatory on streams, gives the body length.
/// CRLFs between messages (keep-alives, RFC 5626 section 3.5.1) are skipped. A message larger than
/// the limit, or a missing or malformed Content-Length, is a <see cref="SipFramingException"/>:
/// the stream cannot be resynchronised and the connection must be closed.
/// </summary>
public sealed class SipStreamFramer
{
    private readonly int _maxMessageSize;
    private byte[] _buffer = new byte[4096];
    private int _start;
    private int _count;

    public SipStreamFramer(int maxMessageSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxMessageSize, 64);
        _maxMessageSize = maxMessageSize;
    }

    /// <summary>Bytes received but not yet returned as a message.</summary>
    public int BufferedCount => _count;

    public void Append(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        if (_start + _count + data.Length > _buffer.Length)
        {
            int needed = _count + data.Length;
            if (needed > _buffer.Length)
            {
                var larger = new byte[Math.Max(needed, _buffer.Length * 2)];
                Buffer.BlockCopy(_buffer, _start, larger, 0, _count);
                _buffer = larger;
            }
            else
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _count);
            }

            _start = 0;
        }

        data.CopyTo(_buffer.AsSpan(_start + _count));
        _count += data.Length;
    }

    /// <summary>Takes the next complete message out of the buffer, or returns false when more bytes are needed.</summary>
    /// <exception cref="SipFramingException">The stream is broken and the connection should be closed.</exception>
    public bool TryReadMessage([NotNullWhen(true)] out byte[]? message)
    {
        message = null;
        while (_count > 0 && _buffer[_start] is (byte)'\r' or (byte)'\n')
        {
            _start++;
            _count--;
        }

        if (_count == 0)
        {
            _start = 0;
            return false;
        }

        ReadOnlySpan<byte> data = _buffer.AsSpan(_start, _count);
        int headerEnd = FindHeaderEnd(data, out int bodyStart);
        if (headerEnd < 0)
        {
            if (_count > _maxMessageSize)
            {
                throw new SipFramingException($"no end of headers within {_maxMessageSize} bytes");
            }

            return false;
        }

        int contentLength = ReadContentLength(data[..headerEnd]);
        long total = (long)bodyStart + contentLength;
        if (total > _maxMessageSize)
        {
            throw new SipFramingException($"message of {total} bytes is larger than the {_maxMessageSize} byte limit");
        }

        if (_count < total)
        {
            return false;
        }

        message = data[..(int)total].ToArray();
        _start += (int)total;
        _count -= (int)total;
        return true;
    }

    private static int FindHeaderEnd(ReadOnlySpan<byte> data, out int bodyStart)
    {
        // The first empty line: CRLF CRLF, or the bare-LF forms the parser also accepts.
        for (int i = 0; i < data.Length; i++)
        {
            if (data[i] != (byte)'\n')
            {
                continue;
            }

            int next = i + 1;
            if (next < data.Length && data[next] == (byte)'\n')
            {
                bodyStart = next + 1;
                return i + 1;
            }

            if (next + 1 < data.Length && data[next] == (byte)'\r' && data[next + 1] == (byte)'\n')
            {
                bodyStart = next + 2;
                return i + 1;
            }
        }

        bodyStart = -1;
        return -1;
    }

    private static int ReadContentLength(ReadOnlySpan<byte> head)
    {
        string text = Encoding.Latin1.GetString(head);
        int? length = null;
        foreach (string rawLine in text.Split('\n'))
        {
            string line = rawLine.TrimEnd('\r');
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || line[0] is ' ' or '\t')
            {
                continue;
            }

            string name = line[..colon].Trim(' ', '\t');
            if (!name.Equals(SipHeaderNames.ContentLength, StringComparison.OrdinalIgnoreCase) && !name.Equals("l", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            string value = line[(colon + 1)..].Trim(' ', '\t');
            if (value.Length == 0 || value.Length > 9 || !value.All(char.IsAsciiDigit))
            {
                throw new SipFramingException($"Content-Length '{value}' is not a valid length");
            }

            int parsed = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture);
            if (length is int previous && previous != parsed)
            {
                throw new SipFramingException("conflicting Content-Length values");
            }

            length = parsed;
        }

        return length ?? throw new SipFramingException("a message on a stream transport must carry Content-Length");
    }
}
