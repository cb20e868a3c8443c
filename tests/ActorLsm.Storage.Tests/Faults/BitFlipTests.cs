using ActorLsm.Storage.Manifest;
using ActorLsm.Storage.Tests.Wal;
using Xunit.Abstractions;

namespace ActorLsm.Storage.Tests.Faults;

/// <summary>
/// Corruption is never silent: every bit of a small MANIFEST, CURRENT and WAL segment is
/// flipped in turn, each followed by a reopen and a full read. Allowed outcomes: a
/// <see cref="CorruptionException"/>, a correct read, or (only for the WAL's last record, the
/// torn-tail ambiguity, or the header-sized zeros after it) the loss of that one write, or of
/// none, reported in <see cref="RecoveryStats"/>.
/// </summary>
public sealed class MetadataBitFlipTests
{
    private readonly ITestOutputHelper _output;

    public MetadataBitFlipTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData("manifest")]
    [InlineData("current")]
    [InlineData("wal")]
    public void FlipEveryBit_ReopenAndReadAll_NoWrongValueAndNoSilentLoss(string file)
    {
        FileKind kind = file switch { "manifest" => FileKind.Manifest, "current" => FileKind.Current, _ => FileKind.Log };
        using var harness = new BitFlipHarness(BlockCompression.None);
        string name = Assert.Single(harness.Files(kind));
        string path = Path.Combine(harness.BasePath, name);
        long fileBits = new FileInfo(path).Length * 8;
        // Every bit of the records; of a WAL segment's grown zero remainder (Wal/FORMAT.md,
        // "Durability"; up to 1 MiB) a seeded sample, since every bit of it would take hours.
        long writtenBits = kind == FileKind.Log ? LogTestData.ReadAll(path).Offset * 8 : fileBits;
        List<long> bits = [.. Enumerable.Range(0, (int)writtenBits).Select(b => (long)b)];
        if (fileBits > writtenBits)
        {
            var rng = new Random(20261203);
            bits.AddRange(Enumerable.Range(0, 256).Select(_ => writtenBits + rng.NextInt64(fileBits - writtenBits)).Distinct());
            _output.WriteLine($"seed 20261203: {bits.Count - writtenBits} sampled bits of {fileBits - writtenBits} past the last record");
        }

        FlipTally tally = harness.FlipAll(name, bits, $"{kind} ({fileBits / 8} bytes, {writtenBits / 8} written)");

        _output.WriteLine(tally.ToString());
        Assert.True(tally.Problems.Count == 0, string.Join('\n', tally.Problems.Take(10)));
        Assert.Equal(bits.Count, tally.Flips);
        Assert.True(tally[FlipOutcome.Detected] > 0, "no flip was detected");
        if (kind != FileKind.Log)
        {
            Assert.Equal(0, tally[FlipOutcome.ReportedTailDrop]);
        }
    }
}

/// <summary>
/// A sample of bit positions in every part of the SSTables (data, index, filter, properties,
/// footer), plain and compressed, each followed by a reopen and a full read: every flip is
/// either detected or harmless; none returns a wrong value or loses a key silently.
/// </summary>
public sealed class TableBitFlipTests
{
    private const int PerPart = 200;
    private readonly ITestOutputHelper _output;

    public TableBitFlipTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData(BlockCompression.None, 20261202)]
    [InlineData(BlockCompression.Deflate, 20261203)]
    public void FlipSampledBits_ReopenAndReadAll_NoWrongValueAndNoSilentLoss(BlockCompression compression, int seed)
    {
        _output.WriteLine($"seed {seed}");
        using var harness = new BitFlipHarness(compression);
        List<string> tables = harness.Files(FileKind.Table);
        Assert.NotEmpty(tables);
        var rng = new Random(seed);
        var total = new FlipTally($"SSTables, {compression}");
        var perPart = new Dictionary<string, int>();
        foreach (string part in new[] { "data", "index", "filter", "properties", "footer" })
        {
            // Spread the part's sample over every table.
            var byTable = new Dictionary<string, List<long>>();
            for (int i = 0; i < PerPart; i++)
            {
                string table = tables[i % tables.Count];
                (string _, long start, long end) = harness.TableParts(table).Single(p => p.Part == part);
                long bit = (start * 8) + rng.NextInt64((end - start) * 8);
                (byTable.TryGetValue(table, out List<long>? list) ? list : byTable[table] = []).Add(bit);
            }

            foreach ((string table, List<long> bits) in byTable)
            {
                total.Merge(harness.FlipAll(table, bits, part));
            }

            perPart[part] = PerPart;
        }

        _output.WriteLine($"{total} ({tables.Count} tables; per part: {string.Join(", ", perPart.Select(p => $"{p.Key} {p.Value}"))})");
        Assert.True(total.Problems.Count == 0, string.Join('\n', total.Problems.Take(10)));
        Assert.Equal(0, total[FlipOutcome.ReportedTailDrop]);
        Assert.True(total[FlipOutcome.Detected] > PerPart, "too few flips detected");
    }
}
