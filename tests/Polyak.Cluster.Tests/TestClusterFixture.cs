using Xunit;
using Orleans.TestingHost;
using Polyak.Cluster.Hosting;

namespace Polyak.Cluster.Tests;

/// <summary>Two in-process silos with Polyak's services, shared by the tests of one class.</summary>
public sealed class TwoSiloCluster : IAsyncLifetime
{
    /// <summary>The cluster.</summary>
    public TestCluster Cluster { get; private set; } = null!;

    /// <inheritdoc/>
    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(2);
        builder.AddSiloBuilderConfigurator<PolyakSiloConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    /// <inheritdoc/>
    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }

    /// <summary>Adds Polyak's placement directors and services to each test silo.</summary>
    public sealed class PolyakSiloConfigurator : ISiloConfigurator
    {
        /// <inheritdoc/>
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddPolyakServices();
    }

    /// <summary>Polyak's services with <see cref="FailureDetection.Fast"/>: for tests that kill a silo and must see it declared dead within seconds.</summary>
    public sealed class FastDetectionSiloConfigurator : ISiloConfigurator
    {
        /// <inheritdoc/>
        public void Configure(ISiloBuilder siloBuilder) => siloBuilder.AddPolyakServices(FailureDetection.Fast);
    }
}
