namespace CallCenter.Sip.Parsing;

/// <summary>Splits "1#element" header values on commas that are not inside quotes or &lt;...&gt;.</summary>
internal static class HeaderValueSplitter
{
    public static List<string> SplitCommaList(string value)
    {
        var elements = new List<string>();
        bool quoted = false;
        bool inAngle = false;
        int start = 0;
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (quoted)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }

                continue;
            }

            switch (c)
            {
                case '"':
                    quoted = true;
                    break;
                case '<':
                    inAngle = true;
                    break;
                case '>':
                    inAngle = false;
                    break;
                case ',' when !inAngle:
                    elements.Add(value[start..i].Trim(' ', '\t'));
                    start = i + 1;
                    break;
                default:
                    break;
            }
        }

        elements.Add(value[start..].Trim(' ', '\t'));
        return elements;
    }
}
