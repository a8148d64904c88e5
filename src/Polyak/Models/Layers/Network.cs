using System.Numerics.Tensors;
using Polyak.Data;
using Polyak.Numerics;

namespace Polyak.Models.Layers;

/// <summary>
/// A feed-forward neural network as a gradient oracle: a chain of <see cref="Layer"/>s over one flat parameter vector
/// (each layer's parameters in order) with a softmax cross-entropy loss on the last layer's outputs. Built from a
/// spec string (see <see cref="NetworkSpec"/>) and the input shape of the data; all activations and scratch live in a
/// per-worker <see cref="NetworkWorkspace"/>, so a gradient evaluation allocates nothing.
/// </summary>
public sealed class Network : IModel
{
    private readonly Layer[] _layers;
    private readonly int[] _offsets;

    /// <summary>
    /// Builds a network from <paramref name="spec"/> for samples of shape <paramref name="inputShape"/> (<c>[C,H,W]</c> for
    /// images, <c>[F]</c> for vectors) and <paramref name="classCount"/> classes. Throws <see cref="ArgumentException"/>
    /// naming the layer that does not fit.
    /// </summary>
    public Network(string name, string spec, IReadOnlyList<int> inputShape, int classCount)
    {
        if (classCount < 2) throw new ArgumentException($"network '{name}': needs >= 2 classes, got {classCount}");
        List<Layer> parsed;
        try { parsed = NetworkSpec.Parse(spec); }
        catch (FormatException ex) { throw new ArgumentException(ex.Message, ex); }
        if (parsed.Count == 0 || parsed[^1] is not DenseLayer last)
            throw new ArgumentException($"network spec '{spec}': the last layer must be fc{classCount} (one unit per class)");
        if (last.Units != classCount)
            throw new ArgumentException($"network spec '{spec}': the last layer has {last.Units} units but the data has {classCount} classes");
        bool imageInput = inputShape.Count == 3 && parsed[0] is Conv2dLayer or MaxPoolLayer;
        if (!imageInput && parsed[0] is Conv2dLayer or MaxPoolLayer)
            throw new ArgumentException($"network spec '{spec}': '{parsed[0].Token}' needs image input [C,H,W], the data has shape [{string.Join(",", inputShape)}]");
        long size = 1;
        foreach (int s in inputShape) size *= s;
        if (size < 1 || size > int.MaxValue) throw new ArgumentException($"network '{name}': bad input shape [{string.Join(",", inputShape)}]");
        InputShape = imageInput ? new TensorShape(inputShape[0], inputShape[1], inputShape[2], true) : TensorShape.Flat((int)size);

        var layers = new List<Layer>();
        var shape = InputShape;
        foreach (var layer in parsed)
        {
            if (layer is DenseLayer && shape.Spatial)
            {
                var flatten = new FlattenLayer();
                shape = flatten.Bind(shape);
                layers.Add(flatten);
            }
            try { shape = layer.Bind(shape); }
            catch (ArgumentException ex) { throw new ArgumentException($"network spec '{spec}': layer {layers.Count + 1}: {ex.Message}", ex); }
            layers.Add(layer);
        }
        _layers = [.. layers];
        _offsets = new int[_layers.Length + 1];
        long total = 0;
        for (int i = 0; i < _layers.Length; i++)
        {
            _offsets[i] = (int)total;
            total += _layers[i].ParameterCount;
            if (total > int.MaxValue) throw new ArgumentException($"network spec '{spec}': more than {int.MaxValue} parameters");
        }
        _offsets[^1] = (int)total;
        Name = name;
        Spec = string.Join("-", _layers.Select(l => l.Token));
        ClassCount = classCount;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>The full spec, flatten layers included.</summary>
    public string Spec { get; }

    /// <summary>Number of classes (units of the last layer).</summary>
    public int ClassCount { get; }

    /// <summary>Shape of one input sample.</summary>
    public TensorShape InputShape { get; }

    /// <summary>The layers in order.</summary>
    public IReadOnlyList<Layer> Layers => _layers;

    /// <summary>Threads each GEMM may use (1 or 2); 1 by default, since parallel training already uses the cores.</summary>
    public int GemmThreads { get; init; } = 1;

    /// <inheritdoc/>
    public int ParameterCount => _offsets[^1];

    /// <inheritdoc/>
    public bool IsClassifier => true;

    /// <summary>Offset of layer <paramref name="index"/>'s parameters in the flat vector.</summary>
    public int ParameterOffset(int index) => _offsets[index];

    /// <inheritdoc/>
    public void Initialize(Span<float> w, ulong seed)
    {
        if (w.Length != ParameterCount) throw new ArgumentException($"{Name}: expected {ParameterCount} parameters, got {w.Length}");
        for (int i = 0; i < _layers.Length; i++)
        {
            if (_layers[i].ParameterCount == 0) continue;
            bool relu = false;
            for (int j = i + 1; j < _layers.Length && _layers[j].ParameterCount == 0; j++)
                if (_layers[j] is ReluLayer) relu = true;
            _layers[i].Initialize(w.Slice(_offsets[i], _layers[i].ParameterCount), RandomStream.Derive(seed, 0x4E7, (ulong)i), relu);
        }
    }

    /// <inheritdoc/>
    public ModelWorkspace CreateWorkspace(int maxBatch, ulong seed)
    {
        EstimateWorkspaceBytes(maxBatch); // refuses a buffer no array can hold, naming the layer
        return new NetworkWorkspace(this, maxBatch, seed);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Mirrors <see cref="NetworkWorkspace"/>: the input and every layer's output for the batch, two gradient buffers of
    /// the largest activation, the shared scratch and the layers' states.
    /// </remarks>
    public long EstimateWorkspaceBytes(int maxBatch)
    {
        if (maxBatch < 1) throw new ArgumentOutOfRangeException(nameof(maxBatch), "batch capacity must be >= 1");
        long activations = Values(InputShape.Size, "the input"), largest = activations, shared = 0, states = 0;
        for (int i = 0; i < _layers.Length; i++)
        {
            long values = Values(_layers[i].Output.Size, $"layer {i + 1} ({_layers[i].Token})");
            activations += values;
            largest = Math.Max(largest, values);
            shared = Math.Max(shared, _layers[i].SharedScratch(maxBatch));
            if (shared > Layer.MaxValues)
                throw new ArgumentException($"{Name}: layer {i + 1} ({_layers[i].Token}) needs {shared:N0} values of scratch for a batch of {maxBatch:N0}, more than one array holds ({Layer.MaxValues:N0})");
            states += _layers[i].StateBytes(maxBatch);
        }
        return 4 * (activations + 2 * largest + shared) + states;

        long Values(int perSample, string what)
        {
            long n = (long)maxBatch * perSample;
            if (n > Layer.MaxValues)
                throw new ArgumentException($"{Name}: {what} holds {n:N0} values for a batch of {maxBatch:N0}, more than one array holds ({Layer.MaxValues:N0}); use a smaller --batch");
            return n;
        }
    }

    /// <inheritdoc/>
    public float LossAndGradient(ReadOnlySpan<float> w, Dataset data, ReadOnlySpan<int> rows, Span<float> gradient, ModelWorkspace workspace)
    {
        var ws = Check(w, data, workspace);
        if (rows.Length == 0) throw new ArgumentException($"{Name}: empty batch");
        if (rows.Length > ws.MaxBatch) throw new ArgumentException($"{Name}: batch of {rows.Length} exceeds workspace capacity {ws.MaxBatch}");
        if (gradient.Length != ParameterCount) throw new ArgumentException($"{Name}: gradient has {gradient.Length} values, expected {ParameterCount}");
        int b = rows.Length;
        ulong key = BatchKey(rows);
        Forward(w, data, rows, ws, training: true, key);

        // softmax cross-entropy: loss and d(mean loss)/d(logits) into the first gradient buffer
        int k = ClassCount;
        var logits = ws.Activations[^1].AsSpan(0, b * k);
        Span<float> g = ws.GradientA.AsSpan(0, b * k);
        int[] labels = data.Labels!;
        double loss = 0;
        float inv = 1f / b;
        for (int s = 0; s < b; s++)
        {
            var z = logits.Slice(s * k, k);
            var gs = g.Slice(s * k, k);
            int y = labels[rows[s]];
            float max = TensorPrimitives.Max(z);
            TensorPrimitives.Subtract(z, max, gs);
            float zy = gs[y];
            TensorPrimitives.Exp(gs, gs);
            float sum = TensorPrimitives.Sum(gs);
            loss += Math.Log(sum) - zy;
            TensorPrimitives.Multiply(gs, inv / sum, gs);
            gs[y] -= inv;
        }

        float[] dy = ws.GradientA, dx = ws.GradientB;
        for (int i = _layers.Length - 1; i >= 0; i--)
        {
            var layer = _layers[i];
            ws.Cancellation.ThrowIfCancellationRequested();
            var pass = new LayerPass(b, true, ws.States[i], ws.Shared, GemmThreads, key, ws.Cancellation);
            layer.Backward(pass, w.Slice(_offsets[i], layer.ParameterCount), ws.Activations[i], ws.Activations[i + 1], dy, dx,
                gradient.Slice(_offsets[i], layer.ParameterCount), needInputGradient: i > 0);
            (dy, dx) = (dx, dy);
        }
        return (float)(loss / b);
    }

    /// <inheritdoc/>
    public EvaluationResult Evaluate(ReadOnlySpan<float> w, Dataset data, ReadOnlySpan<int> rows, ModelWorkspace workspace)
    {
        var ws = Check(w, data, workspace);
        int k = ClassCount;
        int[] labels = data.Labels!;
        double loss = 0;
        long correct = 0;
        for (int start = 0; start < rows.Length; start += ws.MaxBatch)
        {
            var chunk = rows.Slice(start, Math.Min(ws.MaxBatch, rows.Length - start));
            Forward(w, data, chunk, ws, training: false, 0);
            var logits = ws.Activations[^1];
            for (int s = 0; s < chunk.Length; s++)
            {
                var z = logits.AsSpan(s * k, k);
                int y = labels[chunk[s]];
                int arg = TensorPrimitives.IndexOfMax(z);
                if (arg == y) correct++;
                float max = z[arg];
                double sum = 0;
                for (int c = 0; c < k; c++) sum += Math.Exp(z[c] - max);
                loss += Math.Log(sum) - (z[y] - max);
            }
        }
        return new EvaluationResult(rows.Length == 0 ? double.NaN : loss / rows.Length, correct, rows.Length);
    }

    /// <inheritdoc/>
    public int OutputCount => ClassCount;

    /// <inheritdoc/>
    public void Predict(ReadOnlySpan<float> w, Dataset data, ReadOnlySpan<int> rows, Span<float> outputs, ModelWorkspace workspace)
    {
        var ws = Check(w, data, workspace);
        int k = ClassCount;
        if (outputs.Length < (long)rows.Length * k)
            throw new ArgumentException($"{Name}: {rows.Length} rows need {(long)rows.Length * k} outputs, the buffer holds {outputs.Length}");
        for (int start = 0; start < rows.Length; start += ws.MaxBatch)
        {
            var chunk = rows.Slice(start, Math.Min(ws.MaxBatch, rows.Length - start));
            Forward(w, data, chunk, ws, training: false, 0);
            ws.Activations[^1].AsSpan(0, chunk.Length * k).CopyTo(outputs.Slice(start * k));
        }
    }

    /// <summary>
    /// A 64-bit key of a batch: a hash of its row indices in order (see <see cref="LayerPass.Key"/>). Batches are drawn
    /// from reshuffled epochs, so two batches of a run share a key only if they hold the same rows in the same order.
    /// </summary>
    public static ulong BatchKey(ReadOnlySpan<int> rows)
    {
        ulong h = 0xCBF29CE484222325UL ^ (ulong)rows.Length;
        foreach (int r in rows) h = (h ^ (uint)r) * 0x100000001B3UL + 0x9E3779B97F4A7C15UL;
        return h;
    }

    /// <summary>Runs the forward pass of <paramref name="rows"/>; the logits end in the last activation buffer.</summary>
    private void Forward(ReadOnlySpan<float> w, Dataset data, ReadOnlySpan<int> rows, NetworkWorkspace ws, bool training, ulong key)
    {
        int b = rows.Length;
        var x0 = ws.Activations[0].AsSpan();
        if (InputShape.Spatial)
        {
            int c = InputShape.Channels, hw = InputShape.Height * InputShape.Width;
            for (int s = 0; s < b; s++)
            {
                var row = data.Row(rows[s]);
                for (int ch = 0; ch < c; ch++) row.Slice(ch * hw, hw).CopyTo(x0.Slice((ch * b + s) * hw, hw));
            }
        }
        else
        {
            int f = InputShape.Size;
            for (int s = 0; s < b; s++) data.Row(rows[s]).CopyTo(x0.Slice(s * f, f));
        }
        for (int i = 0; i < _layers.Length; i++)
        {
            var layer = _layers[i];
            ws.Cancellation.ThrowIfCancellationRequested();
            var pass = new LayerPass(b, training, ws.States[i], ws.Shared, GemmThreads, key, ws.Cancellation);
            layer.Forward(pass, w.Slice(_offsets[i], layer.ParameterCount), ws.Activations[i], ws.Activations[i + 1]);
        }
    }

    private NetworkWorkspace Check(ReadOnlySpan<float> w, Dataset data, ModelWorkspace workspace)
    {
        if (w.Length != ParameterCount) throw new ArgumentException($"{Name}: expected {ParameterCount} parameters, got {w.Length}");
        if (data.FeatureCount != InputShape.Size)
            throw new ArgumentException($"{Name}: network expects {InputShape.Size} input values {InputShape}, data '{data.Name}' has {data.FeatureCount} features");
        if (data.Labels is null) throw new ArgumentException($"{Name}: needs class labels; data '{data.Name}' has real targets");
        if (data.ClassCount > ClassCount) throw new ArgumentException($"{Name}: network has {ClassCount} outputs, data '{data.Name}' has {data.ClassCount} classes");
        if (workspace is not NetworkWorkspace ws || ws.Owner != this)
            throw new ArgumentException($"{Name}: the workspace was not created by this network");
        return ws;
    }
}
