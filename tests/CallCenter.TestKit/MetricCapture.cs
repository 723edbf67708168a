using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace CallCenter.TestKit;

/// <summary>
/// Every measurement of the named meters while it lives (a <see cref="MeterListener"/>; meters are process-wide, so
/// tests pick their own series by their own queue or site labels).
/// </summary>
public sealed class MetricCapture : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<Measured> _measurements = new();

    public MetricCapture(params string[] meterNames)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (meterNames.Contains(instrument.Meter.Name))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    public IReadOnlyList<Measured> Measurements => _measurements.ToList();

    /// <summary>Asks the observable gauges for their current values (they then appear in <see cref="Measurements"/>).</summary>
    public void Observe() => _listener.RecordObservableInstruments();

    public IEnumerable<Measured> Of(string instrument, string label, string value) =>
        Measurements.Where(m => m.Instrument == instrument && m.Tags.TryGetValue(label, out var v) && v == value);

    public void Dispose() => _listener.Dispose();

    private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            labels[tag.Key] = tag.Value?.ToString() ?? "";
        }

        _measurements.Enqueue(new Measured(instrument.Name, value, labels));
    }

    public sealed record Measured(string Instrument, double Value, IReadOnlyDictionary<string, string> Tags);
}
