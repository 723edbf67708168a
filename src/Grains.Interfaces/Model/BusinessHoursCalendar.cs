using System.Globalization;

namespace CallCenter.Model;

/// <summary>
/// Whether an IVR flow's lines are open at an instant: the instant in the flow's time zone, closed on its holidays,
/// open within any of its opening hours for that weekday. Also reads the configuration's texts (times, days, dates,
/// zones) so the validator and the edge agree on what they mean.
/// </summary>
public static class BusinessHoursCalendar
{
    /// <summary>True when <paramref name="now"/> falls within the opening hours and not on a holiday (local to the hours' zone).</summary>
    public static bool IsOpen(BusinessHours hours, DateTimeOffset now)
    {
        if (!TryFindZone(hours.TimeZone, out var zone))
        {
            // The validator refuses unknown zones; one the host lacks is treated as UTC rather than closing the lines.
            zone = TimeZoneInfo.Utc;
        }

        var local = TimeZoneInfo.ConvertTime(now, zone);
        var date = DateOnly.FromDateTime(local.DateTime);
        if (hours.Holidays.Any(holiday => TryParseDate(holiday, out var closed) && closed == date))
        {
            return false;
        }

        var time = local.TimeOfDay;
        return hours.Open.Any(open =>
            open.Days.Any(day => TryParseDay(day, out var weekday) && weekday == local.DayOfWeek)
            && TryParseTime(open.From, out var from) && TryParseTime(open.To, out var to)
            && time >= from && time < to);
    }

    /// <summary>A local time of day <c>HH:mm</c> from 00:00 to 24:00 (the end of the day).</summary>
    public static bool TryParseTime(string? text, out TimeSpan time)
    {
        time = default;
        if (text is not { Length: 5 } || text[2] != ':'
            || !int.TryParse(text.AsSpan(0, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var hours)
            || !int.TryParse(text.AsSpan(3, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var minutes)
            || minutes > 59 || hours > 24 || (hours == 24 && minutes > 0))
        {
            return false;
        }

        time = new TimeSpan(hours, minutes, 0);
        return true;
    }

    /// <summary>An English weekday name, full (<c>Monday</c>) or three letters (<c>Mon</c>), any case.</summary>
    public static bool TryParseDay(string? text, out DayOfWeek day)
    {
        foreach (var candidate in Enum.GetValues<DayOfWeek>())
        {
            var name = candidate.ToString();
            if (string.Equals(text, name, StringComparison.OrdinalIgnoreCase) || string.Equals(text, name[..3], StringComparison.OrdinalIgnoreCase))
            {
                day = candidate;
                return true;
            }
        }

        day = default;
        return false;
    }

    /// <summary>A date <c>yyyy-MM-dd</c>.</summary>
    public static bool TryParseDate(string? text, out DateOnly date) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

    /// <summary>An IANA (or Windows) time zone id the host knows.</summary>
    public static bool TryFindZone(string? id, out TimeZoneInfo zone)
    {
        zone = TimeZoneInfo.Utc;
        if (string.IsNullOrWhiteSpace(id) || id.Length > 64)
        {
            return false;
        }

        return TimeZoneInfo.TryFindSystemTimeZoneById(id, out zone!);
    }
}
