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

    /// <summary>
    /// Brings a fresh sampler to the state it has after handing out <paramref name="samplesDrawn"/> rows, by replaying
    /// its shuffles (the order is a pure function of the seed, the stream and the count: that count is the whole state).
    /// </summary>
    public void FastForward(long samplesDrawn)
    {
        if (SamplesDrawn != 0) throw new InvalidOperationException("only a fresh sampler can be fast-forwarded");
        if (samplesDrawn < 0) throw new ArgumentOutOfRangeException(nameof(samplesDrawn), "sample count cannot be negative");
        long epochs = samplesDrawn / _order.Length;
        int position = (int)(samplesDrawn % _order.Length);
        // The first shuffle happens at construction; each further epoch boundary reshuffles lazily on the next draw.
        if (position == 0 && epochs > 0)
        {
            epochs -= 1;
            position = _order.Length;
        }
        for (long e = 0; e < epochs; e++) _random.Shuffle(_order.AsSpan());
        _position = position;
        SamplesDrawn = samplesDrawn;
    }
}
