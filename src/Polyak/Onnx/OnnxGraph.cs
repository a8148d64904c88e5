namespace Polyak.Onnx;

/// <summary>
/// Builds one ONNX graph (float tensors only): initializers with their values, nodes with integer, integer-list and float
/// attributes, and graph inputs and outputs whose first dimension may be symbolic (the batch). <see cref="ToModel"/>
/// encodes it as a <c>ModelProto</c> (IR version 7, default-domain opset 13).
/// </summary>
internal sealed class OnnxGraph(string name)
{
    /// <summary>IR version written (ONNX 1.8; every runtime since 2020 reads it).</summary>
    public const int IrVersion = 7;

    /// <summary>Opset of the default domain the nodes are written for.</summary>
    public const int Opset = 13;

    private const int FloatType = 1;
    private readonly List<Action<ProtoWriter>> _nodes = [];
    private readonly List<Action<ProtoWriter>> _initializers = [];
    private readonly List<Action<ProtoWriter>> _inputs = [];
    private readonly List<Action<ProtoWriter>> _outputs = [];
    private int _nodeCount;

    /// <summary>Adds a constant tensor; returns its name.</summary>
    public string Initializer(string tensorName, ReadOnlySpan<float> values, params long[] dims)
    {
        long count = 1;
        foreach (long d in dims) count *= d;
        if (count != values.Length) throw new ArgumentException($"initializer '{tensorName}': {values.Length} values for dims [{string.Join(",", dims)}]");
        float[] copy = values.ToArray();
        _initializers.Add(t =>
        {
            foreach (long d in dims) t.Int(1, d);
            t.Int(2, FloatType);
            t.String(8, tensorName);
            t.RawFloats(9, copy);
        });
        return tensorName;
    }

    /// <summary>Adds a node of operator <paramref name="op"/>; returns its (first) output's name.</summary>
    public string Node(string op, string[] inputs, string output, params Attribute[] attributes)
    {
        string nodeName = $"{op.ToLowerInvariant()}_{_nodeCount++}";
        _nodes.Add(n =>
        {
            foreach (string i in inputs) n.String(1, i);
            n.String(2, output);
            n.String(3, nodeName);
            n.String(4, op);
            foreach (var a in attributes) n.Message(5, a.Write);
        });
        return output;
    }

    /// <summary>Declares a graph input; a null dimension is the symbolic batch dimension <c>N</c>.</summary>
    public void Input(string tensorName, string doc, params long?[] dims) => _inputs.Add(v => ValueInfo(v, tensorName, doc, dims));

    /// <summary>Declares a graph output.</summary>
    public void Output(string tensorName, string doc, params long?[] dims) => _outputs.Add(v => ValueInfo(v, tensorName, doc, dims));

    private static void ValueInfo(ProtoWriter v, string tensorName, string doc, long?[] dims)
    {
        v.String(1, tensorName);
        v.Message(2, type => type.Message(1, tensor =>
        {
            tensor.Int(1, FloatType);
            tensor.Message(2, shape =>
            {
                foreach (long? d in dims)
                    shape.Message(1, dim =>
                    {
                        if (d is long value) dim.Int(1, value);
                        else dim.String(2, "N");
                    });
            });
        }));
        v.String(3, doc);
    }

    /// <summary>Encodes the model: producer, metadata (string pairs) and the graph.</summary>
    public byte[] ToModel(string producerVersion, string doc, IReadOnlyList<KeyValuePair<string, string>> metadata)
    {
        var m = new ProtoWriter();
        m.Int(1, IrVersion);
        m.String(2, OnnxExport.ProducerName);
        m.String(3, producerVersion);
        m.String(6, doc);
        m.Message(7, g =>
        {
            foreach (var n in _nodes) g.Message(1, n);
            g.String(2, name);
            foreach (var t in _initializers) g.Message(5, t);
            foreach (var i in _inputs) g.Message(11, i);
            foreach (var o in _outputs) g.Message(12, o);
        });
        m.Message(8, op => op.Int(2, Opset)); // domain "" (default), version
        foreach (var (key, value) in metadata)
            m.Message(14, e =>
            {
                e.String(1, key);
                e.String(2, value);
            });
        return m.ToArray();
    }

    /// <summary>A node attribute (AttributeProto).</summary>
    public sealed record Attribute(string Name, long? Int = null, long[]? Ints = null, float? Float = null)
    {
        /// <summary>An integer attribute.</summary>
        public static Attribute Of(string name, long value) => new(name, Int: value);

        /// <summary>An integer-list attribute.</summary>
        public static Attribute Of(string name, params long[] values) => new(name, Ints: values);

        internal void Write(ProtoWriter a)
        {
            a.String(1, Name);
            if (Float is float f)
            {
                a.Float(2, f);
                a.Int(20, 1);
            }
            else if (Int is long i)
            {
                a.Int(3, i);
                a.Int(20, 2);
            }
            else if (Ints is { } list)
            {
                foreach (long v in list) a.Int(8, v);
                a.Int(20, 7);
            }
            else throw new InvalidOperationException($"attribute '{Name}' has no value");
        }
    }
}
