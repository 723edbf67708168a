using CallCenter.Domain.History;
using CallCenter.Model;
using CallCenter.Web.Api;

namespace CallCenter.Tests.History;

/// <summary>CSV exports are opened in spreadsheets: no text cell may run as a formula (OWASP "CSV Injection").</summary>
public sealed class CsvTests
{
    [Theory]
    [InlineData("=HYPERLINK(\"http://evil\",\"x\")")]
    [InlineData("+1+cmd|' /C calc'!A0")]
    [InlineData("-2+3")]
    [InlineData("@SUM(A1:A2)")]
    [InlineData("\t=1+1")]
    [InlineData("\r=1+1")]
    public void Write_ATextCellStartingLikeAFormula_GetsALeadingApostrophe(string text)
    {
        var csv = Csv.Write(["note"], [new object?[] { text }]);

        Assert.Equal("'" + text, Cell(csv));
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("a=b")]
    [InlineData("")]
    public void Write_OrdinaryText_IsUnchanged(string text) =>
        Assert.Equal(text, Cell(Csv.Write(["note"], [new object?[] { text }])));

    [Fact]
    public void Write_NumbersDatesAndEnums_AreNotText_SoANegativeNumberStaysANumber()
    {
        var csv = Csv.Write(["a", "b", "c", "d"], [new object?[] { -2.5, -3, DateTimeOffset.UnixEpoch, CallOutcome.Answered }]);

        Assert.Equal("a,b,c,d\r\n-2.5,-3,1970-01-01T00:00:00.000Z,Answered\r\n", csv);
    }

    [Fact]
    public void Write_AFormulaWithACommaOrQuote_IsNeutralisedAndThenQuoted() =>
        Assert.Equal("note\r\n\"'=A1,\"\"x\"\"\"\r\n", Csv.Write(["note"], [new object?[] { "=A1,\"x\"" }]));

    [Fact]
    public void CallsExport_EveryTextColumnAnAttackerCanReach_IsNeutralised()
    {
        // Ids, details and disposition codes come from configuration, desktops and SIP: any of them may start with '='.
        var record = new CallRecord
        {
            CallId = "=c1",
            TenantId = "+tenant",
            SiteId = "-site",
            QueueId = "@queue",
            AgentId = "=agent",
            OutcomeDetail = "=HYPERLINK(\"http://evil\")",
            Dispositions = new Dictionary<string, string> { ["=agent"] = "sale" },
        };

        var csv = HistoryApi.CallsCsv([record]);

        var row = csv.Split("\r\n")[1];
        Assert.DoesNotContain(",=", row, StringComparison.Ordinal);
        Assert.DoesNotContain(",+", row, StringComparison.Ordinal);
        Assert.DoesNotContain(",-", row, StringComparison.Ordinal);
        Assert.DoesNotContain(",@", row, StringComparison.Ordinal);
        Assert.DoesNotContain(",\"=", row, StringComparison.Ordinal);
        Assert.StartsWith("'=c1,", row, StringComparison.Ordinal);
    }

    /// <summary>The one cell of the first data row, unquoted as RFC 4180 says.</summary>
    private static string Cell(string csv)
    {
        var field = csv["note\r\n".Length..^"\r\n".Length];
        return field.StartsWith('"') ? field[1..^1].Replace("\"\"", "\"", StringComparison.Ordinal) : field;
    }
}
