using System.Globalization;
using System.Text;

namespace Polyak.Data;

/// <summary>A minimal growable array (amortised doubling) for parsers.</summary>
internal sealed class GrowableArray<T>
{
    private T[] _items = new T[1024];

    /// <summary>Number of items.</summary>
    public int Count { get; private set; }

    /// <summary>Appends an item.</summary>
    public void Add(T item)
    {
        if (Count == _items.Length) Array.Resize(ref _items, checked(_items.Length * 2));
        _items[Count++] = item;
    }

    /// <summary>A right-sized copy.</summary>
    public T[] ToArray() => _items.AsSpan(0, Count).ToArray();
}
