using Mono.Cecil;
using Mono.Cecil.Cil;

namespace Polyak.Tests.Architecture;

/// <summary>
/// The layers of DESIGN section 2 point one way: Numerics -> Data -> Models -> Optimization -> Execution -> (Theory,
/// Tuning) -> Training (orchestration, library API; ONNX export beside it) -> Reporting -> hosts (the cluster backend and
/// the dashboard, then the CLI on top of everything). Every type reference found in the
/// compiled assemblies (signatures, attributes, method bodies, closures and state machines included) is checked.
/// </summary>
public class LayeringTests
{
    /// <summary>Rank of each layer; a layer may use layers of lower rank only (and its own).</summary>
    private static readonly Dictionary<string, int> Rank = new()
    {
        ["Polyak.Numerics"] = 0,
        ["Polyak.Data"] = 1,
        ["Polyak.Models"] = 2,
        ["Polyak.Optimization"] = 3,
        ["Polyak.Execution"] = 4,
        ["Polyak.Theory"] = 5,
        ["Polyak.Tuning"] = 5,
        ["Polyak.Training"] = 6,
        ["Polyak.Onnx"] = 6, // export: reads models and their parameters, writes bytes
        ["Polyak.Dashboard"] = 8, // a host: reads run folders
        ["Polyak.Reporting"] = 7,
        ["Polyak.Cluster"] = 8,
        ["Polyak.Cli"] = 9,
    };

    private static readonly string[] Assemblies = ["Polyak.dll", "Polyak.Reporting.dll", "Polyak.Cluster.dll", "Polyak.Dashboard.dll", "Polyak.Cli.dll"];

    /// <summary>The layer of a namespace (its longest listed prefix), or null for code that is not Polyak's.</summary>
    private static string? Layer(string ns) =>
        Rank.Keys.Where(k => ns == k || ns.StartsWith(k + ".", StringComparison.Ordinal)).MaxBy(k => k.Length);

    /// <summary>Every (from layer, to layer, from type, to type) reference in the assemblies.</summary>
    private static List<(string From, string To, string FromType, string ToType)> Edges()
    {
        var edges = new List<(string, string, string, string)>();
        foreach (string file in Assemblies)
        {
            using var module = ModuleDefinition.ReadModule(Path.Combine(AppContext.BaseDirectory, file));
            foreach (var type in module.GetTypes())
            {
                string? from = Layer(Outermost(type).Namespace);
                if (from is null) continue;
                foreach (var target in References(type))
                {
                    string? to = Layer(target.Namespace);
                    if (to is not null && to != from) edges.Add((from, to, Outermost(type).FullName, target.FullName));
                }
            }
        }
        return edges;
    }

    private static TypeReference Outermost(TypeReference t)
    {
        while (t.DeclaringType is not null) t = t.DeclaringType;
        return t;
    }

    private static IEnumerable<TypeReference> References(TypeDefinition type)
    {
        var found = new List<TypeReference>();
        void Add(TypeReference? t)
        {
            if (t is null) return;
            switch (t)
            {
                case GenericInstanceType g:
                    Add(g.ElementType);
                    foreach (var a in g.GenericArguments) Add(a);
                    return;
                case TypeSpecification s:
                    Add(s.ElementType);
                    return;
                case GenericParameter:
                    return;
            }
            found.Add(Outermost(t));
        }
        void Attributes(ICustomAttributeProvider p)
        {
            foreach (var a in p.CustomAttributes) Add(a.AttributeType);
        }
        void Method(MethodReference m)
        {
            Add(m.DeclaringType);
            Add(m.ReturnType);
            foreach (var p in m.Parameters) Add(p.ParameterType);
            if (m is GenericInstanceMethod gm) foreach (var a in gm.GenericArguments) Add(a);
        }
        Add(type.BaseType);
        Attributes(type);
        foreach (var i in type.Interfaces) Add(i.InterfaceType);
        foreach (var f in type.Fields) { Add(f.FieldType); Attributes(f); }
        foreach (var p in type.Properties) { Add(p.PropertyType); Attributes(p); }
        foreach (var e in type.Events) Add(e.EventType);
        foreach (var m in type.Methods)
        {
            Method(m);
            Attributes(m);
            if (!m.HasBody) continue;
            foreach (var v in m.Body.Variables) Add(v.VariableType);
            foreach (var ins in m.Body.Instructions)
            {
                switch (ins.Operand)
                {
                    case TypeReference t: Add(t); break;
                    case MethodReference mr: Method(mr); break;
                    case FieldReference fr: Add(fr.DeclaringType); Add(fr.FieldType); break;
                }
            }
        }
        return found;
    }

    [Fact]
    public void NoLayerReferencesAHigherOneOrASibling()
    {
        var edges = Edges();
        // The analysis sees real references (it would see a violation): the engine's layers do use the ones below them.
        Assert.Contains(edges, e => e.From == "Polyak.Execution" && e.To == "Polyak.Optimization");
        Assert.Contains(edges, e => e.From == "Polyak.Training" && e.To == "Polyak.Tuning");
        Assert.Contains(edges, e => e.From == "Polyak.Cluster" && e.To == "Polyak.Execution");
        var violations = edges
            .Where(e => Rank[e.To] > Rank[e.From] || (Rank[e.To] == Rank[e.From] && e.To != e.From))
            .Select(e => $"{e.FromType} ({e.From}) -> {e.ToType} ({e.To})")
            .Distinct().Order().ToArray();
        Assert.True(violations.Length == 0, "layer violations:\n" + string.Join("\n", violations));
    }

    [Fact]
    public void TheEngineAssemblyHasNoPlottingAndNoDistributedRuntime()
    {
        using var module = ModuleDefinition.ReadModule(Path.Combine(AppContext.BaseDirectory, "Polyak.dll"));
        var references = module.AssemblyReferences.Select(a => a.Name).ToArray();
        Assert.Contains("System.Numerics.Tensors", references);
        Assert.DoesNotContain(references, r => r.StartsWith("ScottPlot", StringComparison.Ordinal) || r.StartsWith("Orleans", StringComparison.Ordinal)
            || r.StartsWith("Microsoft.Orleans", StringComparison.Ordinal) || r.StartsWith("System.CommandLine", StringComparison.Ordinal) || r.StartsWith("Spectre", StringComparison.Ordinal));
        // Exit codes are the command line's concern.
        Assert.Null(module.GetTypes().FirstOrDefault(t => t.Name == "ExitCodes"));
    }
}
