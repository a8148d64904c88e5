using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Polyak.Execution;

namespace Polyak.Tuning;

/// <summary>
/// The identity of a tuning run: a SHA-256 hash of its full configuration (every training option, canonical JSON)
/// and the seed the shared data was generated with. Two runs with the same key give the same result, so a
/// resumed tune reuses every journal entry whose key it needs.
/// </summary>
public static class TrialKey
{
    /// <summary>Key of the run with <paramref name="options"/> on data generated with <paramref name="dataSeed"/>.</summary>
    public static string For(TrainingOptions options, ulong dataSeed)
    {
        string canonical = "polyak-trial-v1|data_seed=" + dataSeed + "|" + JsonSerializer.Serialize(options with { OutDir = null }, Json.Compact);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))[..32];
    }
}
