using Polyak.Cluster.Checkpoints;
using Polyak.Cluster.Client;
using Polyak.Cluster.Contracts;
using Polyak.Cluster.Hosting;
using Polyak.Execution;
using Polyak.Training;
using Xunit;

namespace Polyak.Cluster.Tests;

/// <summary>
/// One owner per run on the cluster: a second job for a checkpoint folder a running job writes is refused by the
/// registry; a job whose client goes silent checkpoints and stops after its grace period (no orphan), and the registry
/// keeps it listed with its outcome; the next client resumes from that checkpoint.
/// </summary>
public sealed class ClusterOwnershipTests(TwoSiloCluster fixture) : IClassFixture<TwoSiloCluster>
{
    private static TrainingOptions Options(double? seconds = null, long? updates = null) => new()
    {
        Model = "softmax",
        Data = "synthetic:mixture,n=3000,test=300",
        Backend = "cluster",
        Workers = 2,
        Groups = 2,
        Batch = 16,
        LearningRate = 0.1,
        TimeSeconds = seconds,
        Updates = updates,
        EvalEvery = 100,
        EvalSize = 300,
        Seed = 9,
        CheckpointEvery = 200,
    };

    [Fact]
    public void AResumeFromAnOlderCheckpointCountsTheUpdatesThePreviousClientSawBeyondIt()
    {
        string dir = Path.Combine(Path.GetTempPath(), "polyak-reached-" + Guid.NewGuid().ToString("N"));
        try
        {
            var backend = new ClusterBackend(fixture.Cluster.Client) { Shards = 2 };
            BackendCatalog.Register("cluster", () => backend);
            var first = new Trainer().Run(Options(updates: 400) with { OutDir = dir });
            Assert.Null(first.Failure);
            // As a client whose cluster stopped answering records it: the job had got to update 450, past its newest
            // checkpoint (400), when the client gave up.
            string runJson = Path.Combine(dir, "run.json");
            var record = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(runJson))!;
            record["status"] = "failed";
            record["backend"]!["reached_update"] = 450;
            File.WriteAllText(runJson, record.ToJsonString());

            var resumed = new Trainer().Resume(dir, o => o with { Updates = 500 });
            Assert.Null(resumed.Failure);
            var cluster = (ClusterBackendRecord)resumed.Record.Backend!;
            Assert.Equal(400, cluster.ResumedFrom);
            Assert.Equal(50, cluster.UpdatesLost);
            Assert.Contains(cluster.Events, e => e.Contains("saw the job reach update 450", StringComparison.Ordinal) && e.Contains("50 update(s) lost", StringComparison.Ordinal));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    private async Task<JobEntry> Entry(string jobId) =>
        (await fixture.Cluster.Client.GetGrain<IJobRegistryGrain>(0).Entries()).Single(e => e.JobId == jobId);

    [Fact]
    public async Task ASecondJobForTheCheckpointFolderOfARunningJobIsRefused()
    {
        string dir = Path.Combine(Path.GetTempPath(), "polyak-own-" + Guid.NewGuid().ToString("N"));
        string checkpoints = Path.Combine(dir, "checkpoints");
        try
        {
            var first = new ClusterBackend(fixture.Cluster.Client) { Shards = 2, CheckpointDir = checkpoints };
            BackendCatalog.Register("cluster", () => first);
            var run = Task.Run(() => new Trainer().Run(Options(seconds: 5)));
            while (first.LastJobId is null && !run.IsCompleted) await Task.Delay(20);
            var coordinator = fixture.Cluster.Client.GetGrain<IJobCoordinatorGrain>(first.LastJobId!);
            while ((await coordinator.Status(int.MaxValue)).Server.Version < 10 && !run.IsCompleted) await Task.Delay(20);

            var second = new ClusterBackend(fixture.Cluster.Client) { Shards = 2, CheckpointDir = checkpoints };
            BackendCatalog.Register("cluster", () => second);
            if (run.IsCompleted) Assert.Fail($"the first run ended early: {(await run).Status} {(await run).Failure}");
            // Refused at submission: the run fails with the refusal as an ArgumentException (the CLI's exit 2), before any update.
            var refused = new Trainer().Run(Options(updates: 50));
            Assert.Equal(RunStatus.Failed, refused.Status);
            var ex = Assert.IsType<ArgumentException>(refused.Failure);
            Assert.Contains($"is being written by running job {first.LastJobId}", ex.Message);
            Assert.Equal(0, refused.Record.Summary.Updates);

            var result = await run;
            Assert.Null(result.Failure);
            // Finished jobs stay listed, with their outcome.
            var entry = await Entry(first.LastJobId!);
            Assert.NotNull(entry.Outcome);
            Assert.True(entry.Updates > 0);
            // Once it has ended, the folder takes the next job (which resumes from its checkpoint).
            var again = new Trainer().Run(Options(updates: 50) with { Updates = result.Record.Summary.Updates + 50 });
            Assert.Null(again.Failure);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    [Fact]
    public async Task AJobWhoseClientGoesSilentCheckpointsStopsAndIsResumedByTheNextClient()
    {
        string dir = Path.Combine(Path.GetTempPath(), "polyak-orphan-" + Guid.NewGuid().ToString("N"));
        string checkpoints = Path.Combine(dir, "checkpoints");
        try
        {
            // A client that submits and then never polls again: as good as killed, from the cluster's side.
            var silent = new ClusterBackend(fixture.Cluster.Client) { Shards = 2, CheckpointDir = checkpoints, ClientGraceSeconds = 2, PollPeriod = TimeSpan.FromHours(1) };
            BackendCatalog.Register("cluster", () => silent);
            _ = Task.Run(() => new Trainer().Run(Options(seconds: 600)));
            while (silent.LastJobId is null) await Task.Delay(20);
            string job = silent.LastJobId;
            var coordinator = fixture.Cluster.Client.GetGrain<IJobCoordinatorGrain>(job);
            var deadline = DateTime.UtcNow.AddSeconds(60);
            JobStatus status;
            do
            {
                await Task.Delay(200);
                status = await coordinator.Status(int.MaxValue);
            }
            while (!status.Finished && DateTime.UtcNow < deadline);
            Assert.True(status.Finished, "the orphan job did not stop");
            Assert.Contains("its client was not heard from for 2 s", status.StopReason);
            long stoppedAt = status.Server.Version;
            // The stop took a checkpoint at the last update: nothing done is lost.
            var latest = ClusterCheckpoint.ReadLatest(checkpoints, ReadDimension(checkpoints))!;
            Assert.Equal(stoppedAt, latest.Version);
            while ((await Entry(job)).Outcome is null && DateTime.UtcNow < deadline) await Task.Delay(200);
            Assert.Contains("not heard from", (await Entry(job)).Outcome);

            // The next client resumes from the orphan's checkpoint.
            var next = new ClusterBackend(fixture.Cluster.Client) { Shards = 2, CheckpointDir = checkpoints };
            BackendCatalog.Register("cluster", () => next);
            var resumed = new Trainer().Run(Options(updates: stoppedAt + 40));
            Assert.Null(resumed.Failure);
            var record = (ClusterBackendRecord)resumed.Record.Backend!;
            Assert.Equal(stoppedAt, record.ResumedFrom);
            Assert.Equal(stoppedAt + 40, resumed.Record.Summary.Updates);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    [Fact]
    public async Task TheSiloRefusesAJobBeyondItsLimitsWhateverTheClientChecked()
    {
        var client = fixture.Cluster.Client;
        JobSpec Job(int workers, int dimension) => new()
        {
            JobId = "limits-" + Guid.NewGuid().ToString("N")[..8], OptionsJson = "{}", Shards = 1, Dimension = dimension,
            UpdateLimit = 10, EvalEvery = 10, Workers = workers, Groups = 1,
        };
        var many = Job(JobAdmission.MaxWorkers + 1, 100);
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => client.GetGrain<IJobCoordinatorGrain>(many.JobId).Submit(many, []));
        Assert.Contains("1,025 workers; a silo accepts at most 1,024", ex.Message);
        var large = Job(1, (int)JobAdmission.MaxParameters + 1);
        ex = await Assert.ThrowsAsync<ArgumentException>(() => client.GetGrain<IJobCoordinatorGrain>(large.JobId).Submit(large, []));
        Assert.Contains("the cluster accepts at most 12,582,912", ex.Message);
        // Nothing was registered for either.
        var known = await client.GetGrain<IJobRegistryGrain>(0).Jobs();
        Assert.DoesNotContain(many.JobId, known);
        Assert.DoesNotContain(large.JobId, known);
    }

    /// <summary>The dimension a checkpoint file records (bytes 8-11), so the test need not rebuild the model.</summary>
    private static int ReadDimension(string dir) => BitConverter.ToInt32(File.ReadAllBytes(ClusterCheckpoint.List(dir)[0]), 8);
}
