using System.CommandLine;
using Polyak.Dashboard;

namespace Polyak.Cli;

/// <summary>
/// <c>polyak serve [--runs DIR] [--port P] [--host H]</c>: the live dashboard of the runs under DIR (default <c>runs</c>),
/// on 127.0.0.1 unless <c>--host</c> says otherwise; Ctrl-C stops it.
/// </summary>
public static class ServeCommand
{
    public static Command Create()
    {
        var runs = new Option<string>("--runs") { Description = "Folder of run folders to show (default runs)", DefaultValueFactory = _ => "runs" };
        var port = new Option<int>("--port") { Description = "TCP port (default 5080; 0 picks a free one)", DefaultValueFactory = _ => 5080 };
        var host = new Option<string>("--host") { Description = "Address to listen on (default 127.0.0.1, this machine only; 0.0.0.0 = every interface)", DefaultValueFactory = _ => "127.0.0.1" };
        var command = new Command("serve", "Serve a live dashboard of the runs in a folder: list, curves, staleness, momentum, comparisons");
        foreach (var o in new Option[] { runs, port, host }) command.Options.Add(o);
        command.SetAction(p => CommandRunner.Run(() =>
        {
            string dir = p.GetValue(runs)!;
            if (File.Exists(dir)) throw new ArgumentException($"--runs: '{dir}' is a file; give a folder of run folders");
            using var interruption = new Interruption("stopping the dashboard");
            var server = DashboardServer.StartAsync(new DashboardOptions(dir, p.GetValue(host)!, p.GetValue(port)), interruption.Token).GetAwaiter().GetResult();
            try
            {
                string note = Directory.Exists(dir) ? "" : " (the folder does not exist yet: runs written there will appear)";
                Console.WriteLine($"serving {server.Catalog.Root}{note} at {server.Address}");
                Console.WriteLine("Ctrl-C stops it");
                try { Task.Delay(Timeout.Infinite, interruption.Token).GetAwaiter().GetResult(); }
                catch (OperationCanceledException) { }
            }
            finally
            {
                server.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
            Console.WriteLine("dashboard stopped");
            return ExitCodes.Ok;
        }));
        return command;
    }
}
