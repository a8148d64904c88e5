using System.Globalization;
using System.Text.RegularExpressions;

namespace Polyak.Models.Layers;

/// <summary>
/// Parses network spec strings: layers joined by '-', e.g. <c>conv32k5-relu-pool2-conv64k5-relu-pool2-fc10</c>.
/// Tokens (case-insensitive): <c>conv{F}k{K}[s{S}][p{P}]</c> (F filters, KxK kernel, stride S = 1, zero padding P = 0;
/// <c>p</c> alone or <c>same</c> suffix means P = K/2), <c>pool{K}[s{S}]</c> or <c>maxpool{K}[s{S}]</c> (max pool, stride = K),
/// <c>fc{N}</c> or <c>dense{N}</c>, <c>relu</c>, <c>flatten</c>, <c>dropout{P}</c> (drop probability, e.g. dropout0.5).
/// A flatten is inserted automatically before the first fc that follows a spatial layer; the loss is always softmax
/// cross-entropy on the last layer, which must be an fc with one unit per class.
/// </summary>
public static partial class NetworkSpec
{
    [GeneratedRegex(@"^conv(\d+)k(\d+)(?:s(\d+))?(?:(p)(\d+)?|(same))?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ConvToken();

    [GeneratedRegex(@"^(?:max)?pool(\d+)(?:s(\d+))?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PoolToken();

    [GeneratedRegex(@"^(?:fc|dense)(\d+)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DenseToken();

    [GeneratedRegex(@"^dropout(0?\.\d+|0|1)?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DropoutToken();

    /// <summary>True when <paramref name="text"/> looks like a spec (its first token is a layer token).</summary>
    public static bool LooksLikeSpec(string text)
    {
        string first = text.Split('-')[0].Trim();
        return ConvToken().IsMatch(first) || PoolToken().IsMatch(first) || DenseToken().IsMatch(first)
            || first.Equals("relu", StringComparison.OrdinalIgnoreCase) || first.Equals("flatten", StringComparison.OrdinalIgnoreCase)
            || DropoutToken().IsMatch(first);
    }

    /// <summary>Parses <paramref name="spec"/> into fresh layers; throws <see cref="FormatException"/> naming the bad token and its position.</summary>
    public static List<Layer> Parse(string spec)
    {
        if (string.IsNullOrWhiteSpace(spec)) throw new FormatException("network spec is empty");
        var layers = new List<Layer>();
        string[] tokens = spec.Trim().Split('-');
        for (int i = 0; i < tokens.Length; i++)
        {
            string t = tokens[i].Trim();
            try
            {
                layers.Add(ParseToken(t));
            }
            catch (Exception ex) when (ex is FormatException or ArgumentOutOfRangeException or OverflowException)
            {
                throw new FormatException($"network spec '{spec}': layer {i + 1} '{t}': {ex.Message}", ex);
            }
        }
        return layers;
    }

    private static Layer ParseToken(string t)
    {
        Match m;
        if ((m = ConvToken().Match(t)).Success)
        {
            int k = Int(m.Groups[2].Value);
            int s = m.Groups[3].Success ? Int(m.Groups[3].Value) : 1;
            int p = m.Groups[6].Success || (m.Groups[4].Success && !m.Groups[5].Success) ? k / 2
                : m.Groups[5].Success ? Int(m.Groups[5].Value) : 0;
            return new Conv2dLayer(Int(m.Groups[1].Value), k, s, p);
        }
        if ((m = PoolToken().Match(t)).Success)
            return new MaxPoolLayer(Int(m.Groups[1].Value), m.Groups[2].Success ? Int(m.Groups[2].Value) : null);
        if ((m = DenseToken().Match(t)).Success) return new DenseLayer(Int(m.Groups[1].Value));
        if ((m = DropoutToken().Match(t)).Success)
            return new DropoutLayer(m.Groups[1].Success ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0.5);
        if (t.Equals("relu", StringComparison.OrdinalIgnoreCase)) return new ReluLayer();
        if (t.Equals("flatten", StringComparison.OrdinalIgnoreCase)) return new FlattenLayer();
        throw new FormatException("expected conv{F}k{K}[s{S}][p{P}], pool{K}[s{S}], fc{N}, relu, flatten or dropout{P}");
    }

    private static int Int(string s) => int.Parse(s, NumberStyles.None, CultureInfo.InvariantCulture);
}
