using CallCenter.Model;
using Microsoft.Extensions.Time.Testing;

namespace CallCenter.Tests.Configuration;

/// <summary>Opening hours are local to the flow's time zone (summer time included); holidays close the local date.</summary>
public sealed class BusinessHoursCalendarTests
{
    private static readonly BusinessHours London = new()
    {
        TimeZone = "Europe/London",
        Open =
        [
            new OpeningHours { Days = ["Mon", "Tue", "Wed", "Thu", "Fri"], From = "08:00", To = "18:00" },
            new OpeningHours { Days = ["Saturday"], From = "09:00", To = "13:00" },
        ],
        Holidays = ["2026-12-25"],
    };

    private static bool OpenAt(BusinessHours hours, string utc)
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture));
        return BusinessHoursCalendar.IsOpen(hours, clock.GetUtcNow());
    }

    [Theory]
    // Winter (GMT): local time is UTC.
    [InlineData("2026-01-12T07:59:00Z", false)]
    [InlineData("2026-01-12T08:00:00Z", true)]
    [InlineData("2026-01-12T17:59:00Z", true)]
    [InlineData("2026-01-12T18:00:00Z", false)]
    // Summer (BST, UTC+1): 07:30 UTC is 08:30 in London, 17:30 UTC is 18:30.
    [InlineData("2026-07-13T07:30:00Z", true)]
    [InlineData("2026-07-13T17:30:00Z", false)]
    // Saturday morning only, closed on Sunday.
    [InlineData("2026-07-11T09:30:00Z", true)]
    [InlineData("2026-07-11T12:30:00Z", false)]
    [InlineData("2026-07-12T10:00:00Z", false)]
    public void IsOpen_FollowsTheLocalClockOfTheZone(string utc, bool open) => Assert.Equal(open, OpenAt(London, utc));

    [Fact]
    public void Holiday_ClosesTheWholeLocalDay() => Assert.False(OpenAt(London, "2026-12-25T10:00:00Z"));

    [Fact]
    public void Holiday_IsTheZonesDate_NotUtcs()
    {
        // 2026-12-24 11:00 UTC is already 2026-12-25 00:00 in Auckland (UTC+13 in summer).
        var auckland = London with { TimeZone = "Pacific/Auckland", Open = [new OpeningHours { Days = ["Thu", "Fri"], From = "00:00", To = "24:00" }] };

        Assert.True(OpenAt(auckland, "2026-12-24T10:59:00Z"));
        Assert.False(OpenAt(auckland, "2026-12-24T11:00:00Z"));
    }

    [Fact]
    public void ToMidnight_CoversTheLastMinuteOfTheDay() =>
        Assert.True(OpenAt(London with { Open = [new OpeningHours { Days = ["Mon"], From = "00:00", To = "24:00" }] }, "2026-01-12T23:59:30Z"));

    [Theory]
    [InlineData("08:00", true)]
    [InlineData("24:00", true)]
    [InlineData("24:01", false)]
    [InlineData("8:00", false)]
    [InlineData("08:60", false)]
    [InlineData("0800", false)]
    [InlineData(null, false)]
    public void TryParseTime_TakesHoursAndMinutes(string? text, bool valid) => Assert.Equal(valid, BusinessHoursCalendar.TryParseTime(text, out _));

    [Theory]
    [InlineData("Monday", DayOfWeek.Monday)]
    [InlineData("sun", DayOfWeek.Sunday)]
    [InlineData("WEDNESDAY", DayOfWeek.Wednesday)]
    public void TryParseDay_TakesFullOrShortNamesInAnyCase(string text, DayOfWeek day)
    {
        Assert.True(BusinessHoursCalendar.TryParseDay(text, out var parsed));
        Assert.Equal(day, parsed);
    }

    [Fact]
    public void UnknownZone_IsRefused() => Assert.False(BusinessHoursCalendar.TryFindZone("Mars/Olympus_Mons", out _));
}
