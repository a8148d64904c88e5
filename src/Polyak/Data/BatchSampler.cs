using Polyak.Numerics;

namespace Polyak.Data;

/// <summary>
/// Draws mini-batches of row indices for one stream (one compute group): shuffled epochs without replacement,
/// from its own random stream derived from the run seed. Allocates nothing per batch.
/// </summary>
public sealed class BatchSampler
{
    private readonly int[] _order;
    private int _position;
    private RandomStream _random;

    /// <summary>Creates the sampler of stream <paramref name="streamIndex"/> for a dataset of <paramref name="count"/> rows.</summary>
    public BatchSampler(int count, ulong runSeed, int streamIndex)
    {
        if (count <= 0) throw new ArgumentOutOfRangeException(nameof(count), "cannot sample from an empty dataset");
        _order = new int[count];
        for (int i = 0; i < count; i++) _order[i] = i;
        _random = RandomStream.Derive(runSeed, 0xBA7C, (ulong)streamIndex);
        _random.Shuffle(_order.AsSpan());
    }

    /// <summary>Number of rows handed out so far.</summary>
    public long SamplesDrawn { get; private set; }

    /// <summary>Fills <paramref name="batch"/> with the next row indices.</summary>
    public void Next(Span<int> batch)
    {
        for (int k = 0; k < batch.Length; k++)
        {
            if (_position == _order.Length)
            {
                _random.Shuffle(_order.AsSpan());
                _position = 0;
            }
            batch[k] = _order[_position++];
        }
        SamplesDrawn += batch.Length;
    }

    /// <summary>The sampler's full state (order, position, random state, count) for checkpoints.</summary>
    public SamplerState GetState() => new(_order.ToArray(), _position, _random.GetState(), SamplesDrawn);

    /// <summary>Restores a state taken with <see cref="GetState"/>.</summary>
    public void SetState(SamplerState state)
    {
        if (state.Order.Length != _order.Length)
            throw new ArgumentException($"sampler state is for {state.Order.Length} rows, this dataset has {_order.Length}");
        if (state.Position < 0 || state.Position > _order.Length)
            throw new ArgumentException($"sampler position {state.Position} outside [0, {_order.Length}]");
        var seen = new bool[_order.Length];
        foreach (int i in state.Order)
        {
            if ((uint)i >= (uint)_order.Length || seen[i]) throw new ArgumentException("sampler order is not a permutation");
            seen[i] = true;
        }
        state.Order.CopyTo(_order, 0);
        _position = state.Position;
        _random = RandomStream.FromState(state.Random);
        SamplesDrawn = state.SamplesDrawn;
    }
}

/// <summary>Serializable state of a <see cref="BatchSampler"/>.</summary>
public sealed record SamplerState(int[] Order, int Position, ulong[] Random, long SamplesDrawn);
