using System.Buffers;
using System.Globalization;
using System.Text;

namespace CallCenter.Domain.History;

/// <summary>
/// CSV as RFC 4180 has it: comma-separated, CRLF line ends, a field quoted when it holds a comma, quote, CR or LF, quotes
/// doubled. Text cells are neutralised against formula injection as OWASP advises: a text value that a spreadsheet would
/// read as a formula (starting with <c>=</c>, <c>+</c>, <c>-</c>, <c>@</c>, tab or CR) gets a leading apostrophe. Values
/// this class formats itself (numbers, dates, enums) are never text, so a negative number stays a number.
/// </summary>
public static class Csv
{
    /// <summary>What makes a spreadsheet read a cell as a formula (OWASP "CSV Injection").</summary>
    private static readonly SearchValues<char> FormulaStarts = SearchValues.Create("=+-@\t\r");

    public static string Write(IEnumerable<string> header, IEnumerable<IEnumerable<object?>> rows)
    {
        var text = new StringBuilder();
        Line(text, header);
        foreach (var row in rows)
        {
            Line(text, row.Select(Format));
        }

        return text.ToString();
    }

    public static string Field(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : value;

    private static void Line(StringBuilder text, IEnumerable<string> fields)
    {
        text.AppendJoin(',', fields.Select(Field));
        text.Append("\r\n");
    }

    private static string Format(object? value) => value switch
    {
        null => "",
        string text => Neutralise(text),
        DateTimeOffset at => at.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
        double number => number.ToString("0.####", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => Neutralise(value.ToString() ?? ""),
    };

    /// <summary>A text cell that a spreadsheet would run as a formula, made inert with a leading apostrophe.</summary>
    public static string Neutralise(string text) =>
        text.Length > 0 && FormulaStarts.Contains(text[0]) ? "'" + text : text;
}
