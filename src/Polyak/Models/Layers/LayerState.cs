using Polyak.Numerics;

namespace Polyak.Models.Layers;

/// <summary>Per-worker state of one layer (saved masks, buffers, random stream).</summary>
public abstract class LayerState;
