using Polyak.Cluster.Checkpoints;
using Polyak.Cluster.Client;
using Xunit;

namespace Polyak.Cluster.Tests;

/// <summary>Checkpoint files: round trip, checksum, model-size mismatch; endpoint errors.</summary>
public sealed class CheckpointTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "polyak-ckpt-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, true);
    }

    [Fact]
    public void RoundTripKeepsEverythingAndNewestWins()
    {
        new ClusterCheckpoint(10, [1, 2, 3], [0.1f, 0.2f, 0.3f], [4, 6]).Write(_dir);
        new ClusterCheckpoint(20, [4, 5, 6], [0.4f, 0.5f, 0.6f], [8, 12]).Write(_dir);
        var c = ClusterCheckpoint.ReadLatest(_dir, 3)!;
        Assert.Equal(20, c.Version);
        Assert.Equal([4f, 5f, 6f], c.W);
        Assert.Equal([0.4f, 0.5f, 0.6f], c.V);
        Assert.Equal([8L, 12L], c.Staleness);
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }

    [Fact]
    public void MomentumAndControllerStateRoundTrip()
    {
        new ClusterCheckpoint(7, [1, 2], [3, 4], [7], -0.35, "{\"series\":[]}").Write(_dir);
        var c = ClusterCheckpoint.ReadLatest(_dir, 2)!;
        Assert.Equal(-0.35, c.Momentum);
        Assert.Equal("{\"series\":[]}", c.AutoMomentum);
        new ClusterCheckpoint(8, [1, 2], [3, 4], [8], 0.5).Write(_dir);
        Assert.Null(ClusterCheckpoint.ReadLatest(_dir, 2)!.AutoMomentum);
    }

    [Fact]
    public void TheStalenessPolicysStateRoundTrips()
    {
        new ClusterCheckpoint(12, [1, 2, 3], [4, 5, 6], [12], 0.3, null, [0.25f, 0.5f, 1e-3f], 5, [7, 5]).Write(_dir);
        var c = ClusterCheckpoint.ReadLatest(_dir, 3)!;
        Assert.Equal([0.25f, 0.5f, 1e-3f], c.MeanSquare!);
        Assert.Equal(5, c.DroppedUpdates);
        Assert.Equal([7L, 5L], c.GroupSteps!);
        // Without a policy's state the fields read back empty, not as zeros of the wrong length.
        new ClusterCheckpoint(13, [1, 2, 3], [4, 5, 6], [13], 0.3).Write(_dir);
        var bare = ClusterCheckpoint.ReadLatest(_dir, 3)!;
        Assert.Null(bare.MeanSquare);
        Assert.Equal(0, bare.DroppedUpdates);
        Assert.Null(bare.GroupSteps);
        Assert.Throws<ArgumentException>(() => new ClusterCheckpoint(14, [1, 2, 3], [4, 5, 6], [14], 0, null, [1f]).Write(_dir));
    }

    [Fact]
    public void AFormatOneFileIsStillReadWithItsMomentumUnknown()
    {
        // Format 1: magic PLYKCKP1, dimension, version, histogram, w, v, SHA-256 (no momentum, no controller).
        Directory.CreateDirectory(_dir);
        using var ms = new MemoryStream();
        var b = new BinaryWriter(ms);
        b.Write("PLYKCKP1"u8);
        b.Write(2);          // dimension
        b.Write(9L);         // version
        b.Write(2);          // histogram length
        b.Write(6L); b.Write(3L);
        b.Write(1.5f); b.Write(-2f);
        b.Write(0.25f); b.Write(0f);
        b.Flush();
        var body = ms.ToArray();
        string path = Path.Combine(_dir, "ckpt-000000000009.bin");
        File.WriteAllBytes(path, [.. body, .. System.Security.Cryptography.SHA256.HashData(body)]);
        var c = ClusterCheckpoint.Read(path, 2);
        Assert.Equal(9, c.Version);
        Assert.Equal([6L, 3L], c.Staleness);
        Assert.Equal([1.5f, -2f], c.W);
        Assert.Equal([0.25f, 0f], c.V);
        Assert.True(double.IsNaN(c.Momentum)); // the job's configured momentum applies
        Assert.Null(c.AutoMomentum);
    }

    [Fact]
    public void CorruptedCheckpointIsRejectedByChecksumAndLeftAlone()
    {
        string path = new ClusterCheckpoint(5, [1, 2, 3, 4], [0, 0, 0, 0], [5]).Write(_dir);
        var bytes = File.ReadAllBytes(path);
        bytes[40] ^= 0xFF;
        File.WriteAllBytes(path, bytes);
        var ex = Assert.Throws<InvalidDataException>(() => ClusterCheckpoint.ReadLatest(_dir, 4));
        Assert.Contains("checksum mismatch", ex.Message);
        Assert.Contains(Path.GetFileName(path), ex.Message);
        Assert.Equal(bytes, File.ReadAllBytes(path));
    }

    [Fact]
    public void ModelSizeMismatchIsNamed()
    {
        new ClusterCheckpoint(5, [1, 2, 3], [0, 0, 0], []).Write(_dir);
        var ex = Assert.Throws<InvalidDataException>(() => ClusterCheckpoint.ReadLatest(_dir, 7));
        Assert.Contains("model size mismatch", ex.Message);
        Assert.Contains("3 parameters", ex.Message);
        Assert.Contains("7", ex.Message);
    }

    [Fact]
    public async Task UnreachableEndpointGivesAClearError()
    {
        using var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        int port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
        l.Stop(); // now nothing listens there
        var ex = await Assert.ThrowsAsync<ArgumentException>(() =>
            ClusterEndpoint.ConnectAsync(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port), TimeSpan.FromSeconds(3)));
        Assert.Contains($"127.0.0.1:{port}", ex.Message);
        Assert.Contains("cannot reach the cluster", ex.Message);
    }

    [Theory]
    [InlineData("nohostport")]
    [InlineData("host:")]
    [InlineData("host:99999")]
    public void BadEndpointSpecIsNamed(string spec)
    {
        var ex = Assert.Throws<ArgumentException>(() => ClusterEndpoint.Parse(spec));
        Assert.Contains("HOST:PORT", ex.Message);
    }

    [Fact]
    public void AGatewayListIsParsedAndItsBadEntryNamed()
    {
        var list = ClusterEndpoint.ParseList("127.0.0.1:30000, 127.0.0.1:30001");
        Assert.Equal([30000, 30001], list.Select(e => e.Port));
        Assert.Equal("127.0.0.1:30000,127.0.0.1:30001", ClusterEndpoint.Format(list));
        Assert.Contains("'127.0.0.1:x'", Assert.Throws<ArgumentException>(() => ClusterEndpoint.ParseList("127.0.0.1:30000,127.0.0.1:x")).Message);
        Assert.Contains("listed twice", Assert.Throws<ArgumentException>(() => ClusterEndpoint.ParseList("127.0.0.1:30000,127.0.0.1:30000")).Message);
        Assert.Contains("comma-separated", Assert.Throws<ArgumentException>(() => ClusterEndpoint.ParseList("127.0.0.1:30000,")).Message);
    }

    [Fact]
    public async Task AListOfDeadGatewaysNamesEveryOne()
    {
        int[] ports = [FreePort(), FreePort()];
        var ex = await Assert.ThrowsAsync<ArgumentException>(() =>
            ClusterEndpoint.ConnectAsync(ports.Select(p => new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, p)).ToArray(), TimeSpan.FromSeconds(3)));
        Assert.Contains("none of its 2 gateways answers", ex.Message);
        Assert.All(ports, p => Assert.Contains($"127.0.0.1:{p}", ex.Message));
    }

    private static int FreePort()
    {
        using var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        return ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
    }
}
