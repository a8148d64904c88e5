using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Polyak.Onnx;

/// <summary>
/// A minimal Protocol Buffers encoder: varints, 64-bit integers, fixed 32-bit floats, strings, bytes and nested
/// messages (written into a child writer and copied in with its length). Enough to write the ONNX <c>ModelProto</c>
/// without a protobuf dependency; field numbers come from <c>onnx.proto</c>.
/// </summary>
internal sealed class ProtoWriter
{
    private readonly MemoryStream _buffer = new();

    /// <summary>Bytes written so far.</summary>
    public byte[] ToArray() => _buffer.ToArray();

    private void Tag(int field, int wireType) => Varint(((ulong)field << 3) | (uint)wireType);

    private void Varint(ulong value)
    {
        while (value >= 0x80)
        {
            _buffer.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        _buffer.WriteByte((byte)value);
    }

    /// <summary>An int32/int64/enum field (negative values as ten-byte varints, as protobuf does).</summary>
    public void Int(int field, long value)
    {
        Tag(field, 0);
        Varint((ulong)value);
    }

    /// <summary>A float field (wire type 5, little-endian).</summary>
    public void Float(int field, float value)
    {
        Tag(field, 5);
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(b, value);
        _buffer.Write(b);
    }

    /// <summary>A string field (UTF-8).</summary>
    public void String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    /// <summary>A bytes field.</summary>
    public void Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, 2);
        Varint((ulong)value.Length);
        _buffer.Write(value);
    }

    /// <summary>Floats as a bytes field in little-endian order (ONNX <c>raw_data</c>).</summary>
    public void RawFloats(int field, ReadOnlySpan<float> values)
    {
        if (BitConverter.IsLittleEndian)
        {
            Bytes(field, MemoryMarshal.AsBytes(values));
            return;
        }
        var bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        Bytes(field, bytes);
    }

    /// <summary>A nested message written by <paramref name="write"/>.</summary>
    public void Message(int field, Action<ProtoWriter> write)
    {
        var child = new ProtoWriter();
        write(child);
        Bytes(field, child._buffer.GetBuffer().AsSpan(0, (int)child._buffer.Length));
    }
}
