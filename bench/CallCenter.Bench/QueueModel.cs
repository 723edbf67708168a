namespace CallCenter.Bench;

/// <summary>
/// An ideal M/M/c queue served first come, first served, fed the very arrival and handle times the benchmark sends
/// through the grains: what a perfect router would have achieved on the same draws, free of sampling noise.
/// </summary>
internal static class QueueModel
{
    /// <returns>Each call's wait, in the same (uncompressed) seconds as the inputs.</returns>
    public static double[] Waits(IReadOnlyList<double> arrivalTimes, IReadOnlyList<double> handleTimes, int agents)
    {
        var free = new PriorityQueue<int, double>();
        var freeAt = new double[agents];
        for (var i = 0; i < agents; i++)
        {
            free.Enqueue(i, 0);
        }

        var waits = new double[arrivalTimes.Count];
        for (var call = 0; call < arrivalTimes.Count; call++)
        {
            var agent = free.Dequeue();
            var start = Math.Max(arrivalTimes[call], freeAt[agent]);
            waits[call] = start - arrivalTimes[call];
            freeAt[agent] = start + handleTimes[call];
            free.Enqueue(agent, freeAt[agent]);
        }

        return waits;
    }
}
