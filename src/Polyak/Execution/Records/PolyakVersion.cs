using System.Reflection;

namespace Polyak.Execution;

/// <summary>The version of Polyak that is running (written into every run record and checkpoint).</summary>
public static class PolyakVersion
{
    /// <summary>The informational version without build metadata, e.g. <c>0.1.0</c>.</summary>
    public static string Current { get; } =
        typeof(PolyakVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion?.Split('+')[0] ?? "0.0.0";
}
