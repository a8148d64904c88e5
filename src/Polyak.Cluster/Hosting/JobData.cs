using Polyak.Data;
using Polyak.Execution;
using Polyak.Models;

namespace Polyak.Cluster.Hosting;

/// <summary>The data, model and resolved options of one job as loaded on one silo.</summary>
public sealed record JobData(TrainingOptions Options, ResolvedOptions Resolved, DataSplit Data, IModel Model);
