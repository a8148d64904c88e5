namespace Polyak.Dashboard;

/// <summary>A table of the cluster page: a title, column headers, rows of cells and notes under it.</summary>
public sealed record StatusTable(string Title, IReadOnlyList<string> Headers, IReadOnlyList<IReadOnlyList<string>> Rows, IReadOnlyList<string> Notes);

/// <summary>
/// What the cluster page (<c>/cluster</c>) shows: the gateway and tables of silos, jobs, shards, group leaders and
/// events. The host supplies it (the CLI from an Orleans client, as <c>polyak cluster status</c> prints it), so the
/// dashboard itself does not depend on Orleans.
/// </summary>
public sealed record ClusterView(string Gateway, IReadOnlyList<StatusTable> Tables);
