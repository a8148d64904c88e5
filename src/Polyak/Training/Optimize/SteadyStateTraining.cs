using System.Globalization;
using Polyak.Data;
using Polyak.Execution;

namespace Polyak.Training;

/// <summary>
/// Steady state: trains the main run (folder <c>run</c>) in epochs of <see cref="OptimizeRequest.EpochShare"/> of the
/// budget; after each, re-tunes from the latest checkpoint for <see cref="OptimizeRequest.RetuneShare"/> of an epoch
/// (learning rate stays or drops 10x, momentum over the grid and the current value); when the best momentum is the
/// grid's lower bound, asynchrony gives more momentum than wanted: halves g (the checkpoint is rebased onto the new
/// groups) and re-tunes there.
/// </summary>
public sealed class SteadyStateTraining(OptimizeRequest request, TrainingOptions baseOptions, DataSplit data, DecisionLog decisions, Action<string>? log)
{
    private readonly bool _simulated = HardwareProbe.IsSimulated(baseOptions);

    /// <summary>Trains from <paramref name="chosen"/> until the budget is spent (<paramref name="spent"/> of it already is) or the run stops.</summary>
    public SteadyStateResult Run(LevelChoice chosen, string runDir, double spent, CancellationToken cancel)
    {
        var c = CultureInfo.InvariantCulture;
        double budget = request.TimeBudget, cost = spent;
        double target = baseOptions.TargetLoss!.Value;
        double epoch = request.EpochShare * budget;
        int groups = chosen.Groups;
        double lr = chosen.LearningRate, mu = chosen.Momentum;
        double clock = 0, trainTime = 0, retuneCost = 0;
        TrainingResult? main = null;
        while (true)
        {
            cancel.ThrowIfCancellationRequested();
            double remaining = budget - cost;
            if (remaining <= 0)
            {
                decisions.Add("steady", groups, lr, mu, "budget left", remaining, false, "time budget used up");
                break;
            }
            double limit = clock + Math.Min(epoch, remaining);
            double m = mu;
            var trainer = new Trainer { Log = log, Configure = ctx => ctx.Server.Momentum = m };
            main = main is null
                ? trainer.Run(baseOptions with { Groups = groups, LearningRate = lr, Momentum = mu, TimeSeconds = limit, OutDir = runDir,
                    EvalEvery = baseOptions.EvalEvery ?? (int)Math.Max(1, request.TuneUpdates / 30) }, cancel, data)
                : trainer.Resume(runDir, o => o with { LearningRate = lr, TimeSeconds = limit, Updates = null, Epochs = null, TargetLoss = target }, cancel, data);
            double end = OptimizeClock.TimeOf(main.Record.Summary, _simulated);
            trainTime += end - clock;
            cost += end - clock;
            clock = end;
            decisions.Add("epoch", groups, lr, mu, "eval loss", main.Record.Summary.FinalLoss, false,
                string.Create(c, $"trained to {main.Record.Summary.Updates} updates, {trainTime:G4} {(_simulated ? "simulated s" : "s")}: {main.Record.Status}"));
            if (main.Status != RunStatus.Completed) break;
            if (budget - cost <= 0) continue;

            // Re-tune from the checkpoint for a share of an epoch: lr {same, /10} x momentum grid.
            double tpu = OptimizeClock.TimePerUpdate(main.Record.Summary, _simulated);
            var (bestLr, bestMu, retune) = Retune(runDir, clock, groups, lr, tpu, cancel);
            retuneCost += retune;
            cost += retune;
            if (Math.Abs(bestMu - request.Momenta.Min()) < 1e-12 && groups > 1)
            {
                int halved = groups / 2;
                while (halved > 1 && request.Base.Workers % halved != 0) halved--;
                decisions.Add("halve", halved, bestLr, bestMu, "groups", halved, true,
                    string.Create(c, $"best momentum {bestMu} is the grid's lower bound: asynchrony gives more momentum than wanted; g {groups} -> {halved}"));
                Rebase(runDir, halved);
                groups = halved;
                if (_simulated) clock = 0; // a rebased simulation starts a new clock
                (bestLr, bestMu, retune) = Retune(runDir, clock, groups, bestLr, double.NaN, cancel);
                retuneCost += retune;
                cost += retune;
            }
            decisions.Add("retune", groups, bestLr, bestMu, "chosen", 0, true, bestLr < lr ? "learning rate drops 10x" : "learning rate stays");
            lr = bestLr;
            mu = bestMu;
        }
        return new SteadyStateResult(main, groups, lr, mu, trainTime, retuneCost);
    }

    /// <summary>Short trials from the main run's checkpoint over lr {same, /10} x (grid + current momentum); returns the best and the time spent.</summary>
    private (double Lr, double Mu, double Cost) Retune(string runDir, double startClock, int groups, double lr, double tpu, CancellationToken cancel)
    {
        var c = CultureInfo.InvariantCulture;
        var checkpoint = Checkpointer.ReadRun(runDir);
        long version = checkpoint.State.Version;
        double[] lrs = [lr, Tuning.TuningRequest.RoundSignificant(lr / 10, 3)];
        // The current momentum is always a candidate (staying put is an option), with the grid.
        var momenta = request.Momenta.Append(decisions.CurrentMomentum).Where(double.IsFinite).Distinct().Order().ToArray();
        int trials = lrs.Length * momenta.Length;
        double share = request.RetuneShare * request.EpochShare * request.TimeBudget;
        long updates = double.IsFinite(tpu) && tpu > 0 ? (long)(share / trials / tpu) : request.TuneUpdates;
        updates = Math.Max(request.TuneUpdates / 3, updates); // shorter trials only measure noise
        double spent = 0;
        (double Lr, double Mu, int Class, double Score)? best = null;
        foreach (double l in lrs)
        {
            foreach (double m in momenta)
            {
                cancel.ThrowIfCancellationRequested();
                var run = new Trainer { Configure = ctx => ctx.Server.Momentum = m }.Continue(checkpoint,
                    o => o with { LearningRate = l, Updates = version + updates, TimeSeconds = null, Epochs = null, EvalEvery = (int)Math.Max(1, updates / 10) },
                    outDir: null, cancel, data);
                var s = run.Record.Summary;
                spent += Math.Max(0, OptimizeClock.TimeOf(s, _simulated) - startClock);
                int cls = run.Status == RunStatus.ReachedTarget ? 0 : run.Status == RunStatus.Completed ? 1 : 2;
                double score = cls == 0 ? s.UpdatesToTarget!.Value : cls == 1 ? s.FinalLoss : double.PositiveInfinity;
                decisions.Add("retune", groups, l, m, cls == 0 ? "updates to target" : "loss at end", score, false,
                    string.Create(c, $"{updates} updates from update {version}: {run.Record.Status}"));
                if (best is null || cls < best.Value.Class || (cls == best.Value.Class && score < best.Value.Score)) best = (l, m, cls, score);
            }
        }
        if (best is null || best.Value.Class == 2) return (lrs[1], 0, spent);
        return (best.Value.Lr, best.Value.Mu, spent);
    }

    /// <summary>Rewrites a run's checkpoint onto <paramref name="groups"/> compute groups (fresh batch streams and simulator state).</summary>
    public static void Rebase(string runDir, int groups)
    {
        string path = Path.Combine(runDir, CheckpointFile.FileName);
        var (state, w, v) = CheckpointFile.Read(path);
        var rebased = state with
        {
            Config = state.Config with { Groups = groups },
            SamplesDrawn = new long[groups],
            Backend = null,
        };
        CheckpointFile.Write(path, rebased, w, v);
    }
}
