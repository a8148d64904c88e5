using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Polyak.Execution;
using Polyak.Onnx;
using Polyak.Training;

namespace Polyak.Cli;

/// <summary>
/// <c>polyak export RUN --onnx FILE</c>: writes the run's trained model (its newest checkpoint) as an ONNX graph with
/// the weights, and prints its input and outputs. A file that is not a model Polyak wrote is never overwritten.
/// </summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var run = new Argument<string>("run") { Description = "Run folder (holds checkpoint.bin)" };
        var onnx = new Option<string>("--onnx") { Description = "ONNX file to write (an existing file is replaced only if Polyak wrote it)", Required = true };
        var json = new Option<bool>("--json") { Description = "Print the model's signature as one JSON object on the last line of stdout" };
        var command = new Command("export", "Export a run's trained model as ONNX (for ONNX Runtime, ML.NET's OnnxTransformer, ...)");
        command.Arguments.Add(run);
        command.Options.Add(onnx);
        command.Options.Add(json);
        command.SetAction(p => CommandRunner.Run(() => Execute(p.GetValue(run)!, p.GetValue(onnx)!, p.GetValue(json))));
        return command;
    }

    private static int Execute(string runDir, string file, bool json)
    {
        if (Directory.Exists(file)) throw new ArgumentException($"--onnx: '{file}' is a folder; give a file name such as model.onnx");
        if (File.Exists(file) && !OnnxExport.IsPolyakModel(file))
            throw new ArgumentException($"--onnx: '{file}' exists and is not an ONNX model Polyak wrote; choose another name or remove it");
        string? parent = Path.GetDirectoryName(Path.GetFullPath(file));
        if (parent is not null && !Directory.Exists(parent)) throw new ArgumentException($"--onnx: folder '{parent}' does not exist");
        var trained = TrainedRun.Load(runDir, log: m => Console.Error.WriteLine(m));
        var c = CultureInfo.InvariantCulture;
        var metadata = new Dictionary<string, string>
        {
            ["polyak.run"] = trained.Directory,
            ["polyak.update"] = trained.Update.ToString(c),
            ["polyak.data"] = trained.Data.Description,
            ["polyak.parameters"] = trained.Model.ParameterCount.ToString(c),
        };
        if (trained.Model.IsClassifier) metadata["polyak.classes"] = trained.Data.Train.ClassCount.ToString(c);
        OnnxModel model;
        try { model = OnnxExport.Export(trained.Model, trained.Parameters, metadata); }
        catch (NotSupportedException ex) { throw new ArgumentException(ex.Message, ex); }
        AtomicFile.WriteBytes(file, model.Bytes);
        Console.WriteLine($"wrote {Path.GetFullPath(file)} ({model.Bytes.Length / 1024.0:N1} KiB): {trained.Model.Name}, {trained.Model.ParameterCount:N0} parameters at update {trained.Update:N0} of {trained.Directory} ({trained.Status ?? "no run record"})");
        Console.WriteLine($"  input   {model.Input.Name} {model.Input.ShapeText} float32: {model.Input.Description}");
        foreach (var o in model.Outputs) Console.WriteLine($"  output  {o.Name} {o.ShapeText} float32: {o.Description}");
        Console.WriteLine($"  ONNX IR {OnnxExport.IrVersion}, opset {OnnxExport.Opset}; data: {trained.Data.Description}");
        if (json)
            Console.WriteLine(JsonSerializer.Serialize(new { file = Path.GetFullPath(file), bytes = model.Bytes.Length, model = trained.Model.Name, update = trained.Update, input = model.Input, outputs = model.Outputs }, Json.Compact));
        return ExitCodes.Ok;
    }
}
