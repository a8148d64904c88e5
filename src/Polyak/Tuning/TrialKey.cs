using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Polyak.Execution;

namespace Polyak.Tuning;

/// <summary>
/// The identity of a tuning run: a SHA-256 hash of its full configuration (every training option, canonical JSON)
/// and the seed the shared data was generated with. Two runs with the same key give the same result, so a
/// resumed tune reuses every journal entry whose key it needs. Options added after the key's format was fixed are left
/// out while they are unset (so journals written before them stay valid), and resource limits that do not change a
/// result (<see cref="TrainingOptions.MaxMemoryBytes"/>) are always left out.
/// </summary>
public static class TrialKey
{
    /// <summary>Key of the run with <paramref name="options"/> on data generated with <paramref name="dataSeed"/>.</summary>
    public static string For(TrainingOptions options, ulong dataSeed)
    {
        var json = JsonSerializer.SerializeToNode(options with { OutDir = null, MaxMemoryBytes = null }, Json.Compact)!.AsObject();
        foreach (string later in LaterOptions)
            if (json[later] is null) json.Remove(later);
        json.Remove("max_memory_bytes");
        string canonical = "polyak-trial-v1|data_seed=" + dataSeed + "|" + json.ToJsonString(Json.Compact);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))[..32];
    }

    /// <summary>Options added after the key format was fixed: hashed only when set.</summary>
    private static readonly string[] LaterOptions = ["target_accuracy", "validation", "staleness_policy"];
}
