using Polyak.Execution;
using Polyak.Models;
using Polyak.Models.Layers;

namespace Polyak.Onnx;

/// <summary>One input or output of an exported graph: its name, shape (null = the batch dimension <c>N</c>) and meaning.</summary>
public sealed record OnnxTensorInfo(string Name, IReadOnlyList<long?> Shape, string Description)
{
    /// <summary>The shape as ONNX tools print it, e.g. <c>[N,1,28,28]</c>.</summary>
    public string ShapeText => "[" + string.Join(",", Shape.Select(d => d is long v ? v.ToString(System.Globalization.CultureInfo.InvariantCulture) : "N")) + "]";
}

/// <summary>An exported model: the ONNX bytes and the signature of its graph.</summary>
public sealed record OnnxModel(byte[] Bytes, OnnxTensorInfo Input, IReadOnlyList<OnnxTensorInfo> Outputs);

/// <summary>
/// Exports a trained Polyak model with its parameters as an ONNX graph (IR 7, opset 13), for ONNX Runtime, ML.NET's
/// <c>OnnxTransformer</c> or any other ONNX consumer. Every built-in model is supported: least squares
/// (<c>prediction</c>), logistic regression (<c>logit</c>, <c>probability</c>), softmax regression and every network spec
/// (<c>logits</c>, <c>probabilities</c>). The single input <c>input</c> takes the features exactly as Polyak's data loader
/// gives them to the model (images as <c>[N, C, H, W]</c> for networks that start with a convolution or a pool, pixels
/// already scaled as the run scaled them, e.g. x / 255); dropout is the identity at inference and is left out.
/// </summary>
public static class OnnxExport
{
    /// <summary>The <c>producer_name</c> of every model Polyak writes (used to recognise its own files).</summary>
    public const string ProducerName = "Polyak";

    /// <summary>ONNX IR version of the files written.</summary>
    public const int IrVersion = OnnxGraph.IrVersion;

    /// <summary>Opset (default domain) the graphs use.</summary>
    public const int Opset = OnnxGraph.Opset;

    /// <summary>The name of the graph's input.</summary>
    public const string InputName = "input";

    /// <summary>
    /// Exports <paramref name="model"/> at <paramref name="parameters"/>; <paramref name="metadata"/> is stored as the
    /// model's <c>metadata_props</c>. Throws <see cref="NotSupportedException"/> for a model type it does not know (a
    /// user's own <see cref="IModel"/>).
    /// </summary>
    public static OnnxModel Export(IModel model, ReadOnlySpan<float> parameters, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (parameters.Length != model.ParameterCount)
            throw new ArgumentException($"{model.Name}: expected {model.ParameterCount} parameters, got {parameters.Length}");
        var graph = new OnnxGraph($"polyak_{model.Name}");
        OnnxTensorInfo input;
        List<OnnxTensorInfo> outputs;
        switch (model)
        {
            case Network network:
                (input, outputs) = ExportNetwork(graph, network, parameters);
                break;
            case SoftmaxRegression softmax:
            {
                int d = softmax.FeatureCount, c = softmax.ClassCount;
                input = Flat(d);
                Affine(graph, parameters, c, d, InputName, "logits", "");
                outputs = ClassOutputs(graph, c);
                break;
            }
            case LogisticRegression logistic:
            {
                int d = logistic.FeatureCount;
                input = Flat(d);
                Affine(graph, parameters, 1, d, InputName, "logit", "");
                graph.Node("Sigmoid", ["logit"], "probability");
                outputs =
                [
                    new("logit", [null, 1], "log-odds of class 1 (class 1 when > 0)"),
                    new("probability", [null, 1], "probability of class 1"),
                ];
                break;
            }
            case LeastSquares leastSquares:
            {
                int d = leastSquares.FeatureCount;
                input = Flat(d);
                Affine(graph, parameters, 1, d, InputName, "prediction", "");
                outputs = [new("prediction", [null, 1], "the predicted target")];
                break;
            }
            default:
                throw new NotSupportedException($"model '{model.Name}' ({model.GetType().Name}) has no ONNX export: Polyak exports least squares, logistic and softmax regression and its networks");
        }
        graph.Input(input.Name, input.Description, [.. input.Shape]);
        foreach (var o in outputs) graph.Output(o.Name, o.Description, [.. o.Shape]);
        var props = new List<KeyValuePair<string, string>> { new("polyak.model", model.Name) };
        if (model is Network n) props.Add(new("polyak.spec", n.Spec));
        if (metadata is not null) props.AddRange(metadata.Where(kv => !props.Any(p => p.Key == kv.Key)));
        string doc = $"{model.Name} trained by Polyak: input '{input.Name}' {input.ShapeText}; outputs {string.Join(", ", outputs.Select(o => $"'{o.Name}' {o.ShapeText}"))}";
        return new OnnxModel(graph.ToModel(PolyakVersion.Current, doc, props), input, outputs);
    }

    /// <summary>True when <paramref name="path"/> holds an ONNX model Polyak wrote (an export may replace only such a file).</summary>
    public static bool IsPolyakModel(string path)
    {
        // The first fields are ir_version (varint) then producer_name: 0x08 <ir> 0x12 <len> "Polyak".
        Span<byte> head = stackalloc byte[4 + ProducerName.Length];
        using var f = File.OpenRead(path);
        if (f.ReadAtLeast(head, head.Length, throwOnEndOfStream: false) < head.Length) return false;
        return head[0] == 0x08 && head[2] == 0x12 && head[3] == ProducerName.Length
            && System.Text.Encoding.ASCII.GetString(head[4..]) == ProducerName;
    }

    /// <summary>
    /// <c>output = x W^T + b</c> for the layout every Polyak linear map uses: <paramref name="k"/> x <paramref name="d"/>
    /// weights row-major, then <paramref name="k"/> biases. Returns the output's name.
    /// </summary>
    private static string Affine(OnnxGraph graph, ReadOnlySpan<float> p, int k, int d, string x, string output, string prefix)
    {
        string w = graph.Initializer(prefix + "weight", p[..(k * d)], k, d);
        string b = graph.Initializer(prefix + "bias", p.Slice(k * d, k), k);
        return graph.Node("Gemm", [x, w, b], output, OnnxGraph.Attribute.Of("transB", 1L));
    }

    private static OnnxTensorInfo Flat(int features) =>
        new(InputName, [null, features], $"{features} features per row, as Polyak's data loader gives them");

    private static List<OnnxTensorInfo> ClassOutputs(OnnxGraph graph, int classes)
    {
        graph.Node("Softmax", ["logits"], "probabilities", OnnxGraph.Attribute.Of("axis", 1L));
        return
        [
            new("logits", [null, classes], "unnormalised class scores (the predicted class is the argmax)"),
            new("probabilities", [null, classes], "softmax of the logits"),
        ];
    }

    private static (OnnxTensorInfo Input, List<OnnxTensorInfo> Outputs) ExportNetwork(OnnxGraph graph, Network network, ReadOnlySpan<float> w)
    {
        var s = network.InputShape;
        var input = s.Spatial
            ? new OnnxTensorInfo(InputName, [null, s.Channels, s.Height, s.Width], $"images [N, C={s.Channels}, H={s.Height}, W={s.Width}], pixels scaled as the run scaled them")
            : Flat(s.Size);
        string x = InputName;
        var layers = network.Layers;
        for (int i = 0; i < layers.Count; i++)
        {
            var layer = layers[i];
            var p = w.Slice(network.ParameterOffset(i), layer.ParameterCount);
            bool last = i == layers.Count - 1;
            string y = last ? "logits" : $"layer{i + 1}_{layer.Token}";
            switch (layer)
            {
                case Conv2dLayer conv:
                {
                    int f = conv.Filters, c = conv.Input.Channels, k = conv.Kernel, rows = c * k * k;
                    string wt = graph.Initializer($"layer{i + 1}_weight", p[..(f * rows)], f, c, k, k);
                    string b = graph.Initializer($"layer{i + 1}_bias", p.Slice(f * rows, f), f);
                    x = graph.Node("Conv", [x, wt, b], y,
                        OnnxGraph.Attribute.Of("kernel_shape", k, k),
                        OnnxGraph.Attribute.Of("strides", conv.Stride, conv.Stride),
                        OnnxGraph.Attribute.Of("pads", conv.Padding, conv.Padding, conv.Padding, conv.Padding));
                    break;
                }
                case DenseLayer dense:
                    x = Affine(graph, p, dense.Units, dense.Input.Size, x, y, $"layer{i + 1}_");
                    break;
                case ReluLayer:
                    x = graph.Node("Relu", [x], y);
                    break;
                case MaxPoolLayer pool:
                    x = graph.Node("MaxPool", [x], y,
                        OnnxGraph.Attribute.Of("kernel_shape", pool.Size, pool.Size),
                        OnnxGraph.Attribute.Of("strides", pool.Stride, pool.Stride));
                    break;
                case FlattenLayer flatten:
                    if (flatten.Input.Spatial) x = graph.Node("Flatten", [x], y, OnnxGraph.Attribute.Of("axis", 1L));
                    break;
                case DropoutLayer:
                    break; // the identity at inference
                default:
                    throw new NotSupportedException($"network '{network.Name}': layer {i + 1} ({layer.Token}) has no ONNX export");
            }
        }
        return (input, ClassOutputs(graph, network.ClassCount));
    }
}
