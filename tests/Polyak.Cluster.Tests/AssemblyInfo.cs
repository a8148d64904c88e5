using Xunit;

// The tests register the "cluster" backend globally and start clusters and processes: run them one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
