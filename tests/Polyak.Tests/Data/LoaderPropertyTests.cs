using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Polyak.Data;
using Xunit;
using Xunit.Abstractions;

namespace Polyak.Tests.Data;

/// <summary>
/// FsCheck properties over the loaders, with a fixed replay seed: exact truncation and size contracts for the binary
/// formats, exact round trips for the text formats, arbitrary bytes and arbitrary mutations ending cleanly.
/// </summary>
public sealed class LoaderPropertyTests(ITestOutputHelper output) : IDisposable
{
    private const int Cases = 200;
    private readonly TempFolder _t = new();
    private int _count;

    private static Config Seeded(int n = Cases) => Config.QuickThrowOnFailure.WithMaxTest(n).WithReplay(0x5EED_1234UL, 0x9E37_79B9_7F4A_7C15UL).WithQuietOnSuccess(true);

    private void Run<T>(string name, Gen<T> gen, Action<T> property, int n = Cases)
    {
        int before = _count;
        Prop.ForAll(gen.ToArbitrary(), (T x) => { _count++; property(x); }).Check(Seeded(n));
        output.WriteLine($"{name}: {_count - before} FsCheck cases");
    }

    private static Gen<Mutation> Mutations =>
        from kind in Gen.Choose(0, Mutation.Kinds - 1)
        from pos in Gen.Choose(0, int.MaxValue)
        from value in Gen.Choose(int.MinValue, int.MaxValue)
        from count in Gen.Choose(0, int.MaxValue)
        select new Mutation(kind, pos, value, count);

    [Fact]
    public void IdxTruncationFailsExactlyWhenShort()
    {
        var valid = DataFixtures.IdxImages(7, 5, 4, 2);
        string p = _t.File("trunc-idx3-ubyte");
        Run("IDX truncation", Gen.Choose(0, valid.Length), cut =>
        {
            File.WriteAllBytes(p, valid[..cut]);
            bool ok = HostileInput.Check(() => IdxFile.ReadUncached(p, 3), p, $"cut {cut}");
            Assert.Equal(cut == valid.Length, ok);
        });
    }

    [Fact]
    public void IdxDeclaredSizesNeverAllocateBeyondTheFile()
    {
        var valid = DataFixtures.IdxImages(6, 4, 4, 3);
        string p = _t.File("sizes-idx3-ubyte");
        var gen = from field in Gen.Choose(1, 3)
                  from value in Gen.OneOf(Gen.Choose(int.MinValue, int.MaxValue), Gen.Elements(int.MaxValue, int.MinValue, -1, 0, 1, 4, 6, 1 << 20))
                  from gz in Gen.Elements(false, true)
                  select (field, value, gz);
        Run("IDX declared sizes", gen, c =>
        {
            var b = valid.ToArray();
            BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(c.field * 4), c.value);
            File.WriteAllBytes(p, c.gz ? DataFixtures.Gzip(b) : b);
            bool ok = HostileInput.Check(() => IdxFile.ReadUncached(p, 3), p, $"dim {c.field - 1} = {c.value}");
            Assert.Equal(c.field == 1 && c.value == 6 || c.field > 1 && c.value == 4, ok);
        });
    }

    [Fact]
    public void CifarLengthContract()
    {
        var valid = DataFixtures.CifarBatch(3, 4);
        string p = _t.File("batch.bin");
        Run("CIFAR truncation", Gen.Choose(0, valid.Length), cut =>
        {
            File.WriteAllBytes(p, valid[..cut]);
            bool ok = HostileInput.Check(() => CifarBinary.ReadBatch(p), p, $"cut {cut}");
            Assert.Equal(cut > 0 && cut % CifarBinary.RecordSize == 0, ok);
        });
    }

    [Fact]
    public void LibSvmRoundTripsRandomSparseRows()
    {
        var rowGen = from label in Gen.Elements(-1, 1, 2, 7)
                     from mask in Gen.Choose(0, 255)
                     from vals in Gen.ArrayOf(Gen.Choose(-1000, 1000), 8)
                     select (label, mask, vals);
        var gen = from rows in Gen.ArrayOf(rowGen, 6) select rows;
        string p = _t.File("round.svm");
        Run("LIBSVM round trip", gen, rows =>
        {
            var sb = new StringBuilder();
            var dense = new List<float[]>();
            foreach (var (label, mask, vals) in rows)
            {
                sb.Append(CultureInfo.InvariantCulture, $"{label}");
                var x = new float[8];
                for (int j = 0; j < 8; j++)
                    if ((mask >> j & 1) == 1)
                    {
                        x[j] = vals[j] / 8f;
                        sb.Append(CultureInfo.InvariantCulture, $" {j + 1}:{x[j]:R}");
                    }
                sb.Append(" # row\n");
                dense.Add(x);
            }
            File.WriteAllText(p, sb.ToString());
            var labels = rows.Select(r => r.label).Distinct().OrderBy(v => v).ToList();
            if (labels.Count < 2)
            {
                Assert.Contains("at least 2 classes", Assert.Throws<InvalidDataException>(() => LibSvmFile.Load(p, p, false, 8, 0.5, 1)).Message);
                return;
            }
            var (train, _, _) = LibSvmFile.Load(p, p, false, 8, 0.5, 1);
            Assert.Equal(dense.SelectMany(r => r), train.Features);
            Assert.Equal(rows.Select(r => labels.IndexOf(r.label)), train.Labels!);
        });
    }

    [Fact]
    public void CsvRoundTripsRandomTables()
    {
        var gen = from rows in Gen.Choose(1, 8)
                  from cols in Gen.Choose(1, 5)
                  from cells in Gen.ArrayOf(Gen.Choose(-100000, 100000), rows * cols)
                  from labels in Gen.ArrayOf(Gen.Choose(0, 3), rows)
                  from header in Gen.Elements(false, true)
                  select (rows, cols, cells, labels, header);
        string p = _t.File("round.csv");
        Run("CSV round trip", gen, c =>
        {
            var sb = new StringBuilder();
            if (c.header) sb.Append("label").Append(string.Concat(Enumerable.Range(0, c.cols).Select(j => $",f{j}"))).Append('\n');
            for (int i = 0; i < c.rows; i++)
            {
                sb.Append(c.labels[i]);
                for (int j = 0; j < c.cols; j++) sb.Append(CultureInfo.InvariantCulture, $",{c.cells[i * c.cols + j] / 16f:R}");
                sb.Append('\n');
            }
            File.WriteAllText(p, sb.ToString());
            var distinct = c.labels.Distinct().OrderBy(v => v).ToList();
            if (distinct.Count < 2)
            {
                Assert.Throws<InvalidDataException>(() => CsvFile.Load(p, p, false, null, null, 0.5, 1));
                return;
            }
            var (train, _, _) = CsvFile.Load(p, p, false, null, null, 0.5, 1);
            Assert.Equal(c.cells.Select(v => v / 16f), train.Features);
            Assert.Equal(c.labels.Select(l => distinct.IndexOf(l)), train.Labels!);
        });
    }

    [Fact]
    public void ArbitraryBytesEndCleanlyInEveryLoader()
    {
        var gen = from len in Gen.Choose(0, 300)
                  from bytes in Gen.ArrayOf(Gen.Choose(0, 255).Select(i => (byte)i), len)
                  from loader in Gen.Choose(0, 4)
                  select (bytes, loader);
        Run("arbitrary bytes", gen, c =>
        {
            string p = _t.File(c.loader switch { 0 => "a-idx3-ubyte", 1 => "a-idx1-ubyte", 2 => "a.bin", 3 => "a.svm", _ => "a.csv" });
            File.WriteAllBytes(p, c.bytes);
            HostileInput.Check(() =>
            {
                switch (c.loader)
                {
                    case 0: IdxFile.ReadUncached(p, 3); break;
                    case 1: IdxFile.ReadUncached(p, 1); break;
                    case 2: CifarBinary.ReadBatch(p); break;
                    case 3: LibSvmFile.Load(p, null, false, null, 0.5, 1); break;
                    default: CsvFile.Load(p, null, false, null, null, 0.5, 1); break;
                }
            }, p, $"loader {c.loader}, {c.bytes.Length} bytes");
        }, 400);
    }

    [Fact]
    public void ArbitraryMutationsOfValidTextEndCleanly()
    {
        var svm = Encoding.UTF8.GetBytes(DataFixtures.LibSvm(10, 5, 8));
        var csv = Encoding.UTF8.GetBytes("label,a,b\n0,1,2\n1,3,4\n2,5,6\n0,7,8\n");
        var gen = from m1 in Mutations from m2 in Mutations from which in Gen.Elements(0, 1) select (m1, m2, which);
        Run("mutated LIBSVM/CSV", gen, c =>
        {
            string p = _t.File(c.which == 0 ? "m.svm" : "m.csv");
            File.WriteAllBytes(p, c.m2.Apply(c.m1.Apply(c.which == 0 ? svm : csv)));
            HostileInput.Check(() => DataCatalog.Load(p, null, 0.3, 1, cache: null), p, $"{c}");
        }, 400);
    }

    public void Dispose() => _t.Dispose();
}
