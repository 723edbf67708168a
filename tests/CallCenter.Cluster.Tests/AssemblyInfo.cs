// Each test starts its own Redis and three silo processes: on a two-core machine they run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
