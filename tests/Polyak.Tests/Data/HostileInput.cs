using System.Buffers.Binary;
using System.Text;
using Xunit;

namespace Polyak.Tests.Data;

/// <summary>One random damage to a file: what kind, where, and with what.</summary>
public readonly record struct Mutation(int Kind, int Position, int Value, int Count)
{
    /// <summary>Number of mutation kinds.</summary>
    public const int Kinds = 8;

    /// <summary>Applies the mutation to a copy of <paramref name="input"/>.</summary>
    public byte[] Apply(byte[] input)
    {
        var b = input.ToArray();
        int value = Value;
        int pos = b.Length == 0 ? 0 : (int)((uint)Position % (uint)b.Length);
        switch (Kind)
        {
            case 0: // truncate
                return b[..(int)((uint)Position % (uint)(b.Length + 1))];
            case 1: // flip 1..8 random bits near pos
                for (int i = 0; i < 1 + (uint)Count % 8 && b.Length > 0; i++)
                    b[(int)((uint)(pos + i * 7919 + Value) % (uint)b.Length)] ^= (byte)(1 << ((Value + i) & 7));
                return b;
            case 2: // overwrite a big-endian int32 in the header area with a hostile size
            {
                int at = (int)((uint)Position % 16u) & ~3;
                if (at + 4 > b.Length) return b;
                int[] hostile = [int.MaxValue, int.MinValue, -1, 0, 1, 1 << 30, 60000, Value];
                BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(at), hostile[(uint)Count % (uint)hostile.Length]);
                return b;
            }
            case 3: // set a random byte to a random value
                if (b.Length > 0) b[pos] = (byte)Value;
                return b;
            case 4: // append junk
                return [.. b, .. Enumerable.Range(0, 1 + (int)((uint)Count % 64)).Select(i => (byte)(value + i * 31))];
            case 5: // delete a chunk
            {
                int len = Math.Min(b.Length - pos, 1 + (int)((uint)Count % 32));
                return [.. b[..pos], .. b[(pos + len)..]];
            }
            case 6: // insert hostile text tokens (for text formats; harmless noise for binary ones)
            {
                string[] tokens = [" nan", " 1:inf", " 0:1", " -5:2", " 99999999999:1", " 3:1e99", ",,", "\"", "#", "\n\n", " 2:1 1:1", " qid:", ":", "\r", "\0", " 2147483647:1", ",NaN", ",-Infinity", ",1e40", "label,", " 1:1 1:1"];
                byte[] tok = Encoding.UTF8.GetBytes(tokens[(uint)Value % (uint)tokens.Length]);
                return [.. b[..pos], .. tok, .. b[pos..]];
            }
            default: // duplicate a chunk (repeated rows / repeated headers)
            {
                int len = Math.Min(b.Length - pos, 1 + (int)((uint)Count % 256));
                return [.. b[..(pos + len)], .. b[pos..]];
            }
        }
    }

    /// <summary>A mutation drawn from <paramref name="rng"/>.</summary>
    public static Mutation Draw(Random rng) => new(rng.Next(Kinds), rng.Next(), rng.Next(), rng.Next());
}

/// <summary>Runs a loader on a hostile input and checks it ends cleanly: success, or ONE clear error of the allowed types.</summary>
public static class HostileInput
{
    /// <summary>Most bytes a loader may allocate for one small hostile input.</summary>
    public const long AllocationBound = 64L << 20;

    /// <summary>
    /// Runs <paramref name="load"/>: it must return, or throw <see cref="InvalidDataException"/> /
    /// <see cref="ArgumentException"/> whose message names <paramref name="mustName"/>; it must not allocate more than
    /// <see cref="AllocationBound"/>. Returns true when it loaded.
    /// </summary>
    public static bool Check(Action load, string mustName, string describe)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        bool ok;
        try
        {
            load();
            ok = true;
        }
        catch (Exception ex) when (ex is InvalidDataException or ArgumentException)
        {
            Assert.False(string.IsNullOrWhiteSpace(ex.Message), $"{describe}: empty error message");
            Assert.True(ex.Message.Contains(mustName, StringComparison.Ordinal), $"{describe}: error does not name '{mustName}': {ex.Message}");
            Assert.True(ex.InnerException is null or InvalidDataException or ArgumentException or FormatException, $"{describe}: wraps {ex.InnerException?.GetType()}");
            ok = false;
        }
        catch (Exception ex)
        {
            Assert.Fail($"{describe}: unexpected {ex.GetType().Name}: {ex.Message}\n{ex.StackTrace}");
            throw;
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < AllocationBound, $"{describe}: allocated {allocated:N0} bytes");
        return ok;
    }

    /// <summary>Runs <paramref name="body"/> on its own thread and fails if it does not finish in time (a hang).</summary>
    public static void WithinSeconds(double seconds, Action body)
    {
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try { body(); }
            catch (Exception ex) { failure = ex; }
        }, 16 << 20) { IsBackground = true };
        thread.Start();
        Assert.True(thread.Join(TimeSpan.FromSeconds(seconds)), $"did not finish within {seconds} s (hang?)");
        if (failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
    }
}
