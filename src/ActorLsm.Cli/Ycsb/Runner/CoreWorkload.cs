namespace ActorLsm.Cli.Ycsb;

/// <summary>
/// The state a phase's workers share: which key numbers exist, how the next one is chosen, and
/// how records are built. Load-phase inserts take consecutive numbers from <c>insertstart</c>;
/// run-phase inserts continue from <c>recordcount</c> on an <see cref="AcknowledgedCounter"/>, and
/// every other operation picks a number with the request distribution, redrawing any number
/// beyond the last acknowledged insert so it targets a key that exists. Thread-safe.
/// </summary>
internal sealed class CoreWorkload
{
    /// <summary>Redraws allowed before a key choice falls back to a uniform pick among existing keys.</summary>
    private const int MaxRedraws = 1000;

    private readonly INumberGenerator? _keyChooser;
    private readonly INumberGenerator _scanLength;
    private readonly OperationChooser? _operations;
    private readonly string[] _fieldNames;

    /// <exception cref="WorkloadPropertyException">The run phase would read keys that the load phase never inserts (recordcount 0).</exception>
    public CoreWorkload(CoreWorkloadSettings settings, YcsbPhase phase)
    {
        Settings = settings;
        Phase = phase;
        InsertSequence = new AcknowledgedCounter(settings.RecordCount);
        _fieldNames = new string[settings.FieldCount];
        for (int i = 0; i < _fieldNames.Length; i++)
        {
            _fieldNames[i] = settings.FieldNamePrefix + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        _scanLength = settings.ZipfianScanLength
            ? new ZipfianGenerator(settings.MinScanLength, settings.MaxScanLength)
            : new UniformGenerator(settings.MinScanLength, settings.MaxScanLength);
        if (phase == YcsbPhase.Load)
        {
            return;
        }

        _operations = settings.OperationCount > 0 ? new OperationChooser(settings) : null;
        bool needsExisting = settings.ReadProportion + settings.UpdateProportion + settings.ScanProportion + settings.ReadModifyWriteProportion > 0;
        if (settings.InsertCount <= 0 || settings.RecordCount <= settings.InsertStart)
        {
            if (needsExisting && settings.OperationCount > 0)
            {
                throw new WorkloadPropertyException("the run phase reads existing records, but recordcount/insertcount leave none");
            }

            return;
        }

        long lower = settings.InsertStart;
        long upper = settings.InsertStart + settings.InsertCount - 1;
        _keyChooser = settings.RequestDistribution switch
        {
            RequestDistribution.Uniform => new UniformGenerator(lower, upper),
            RequestDistribution.Hotspot => new HotspotGenerator(lower, upper, settings.HotspotDataFraction, settings.HotspotOpnFraction),
            RequestDistribution.Latest => new SkewedLatestGenerator(InsertSequence),
            // Leave room for the keys the run phase is expected to insert (twice the expectation, as YCSB).
            _ => new ScrambledZipfianGenerator(lower, upper + (long)(settings.OperationCount * settings.InsertProportion * 2.0)),
        };
    }

    public CoreWorkloadSettings Settings { get; }

    public YcsbPhase Phase { get; }

    /// <summary>Run-phase insert key numbers, from recordcount on.</summary>
    public AcknowledgedCounter InsertSequence { get; }

    /// <summary>Operations of the phase: insertcount for load, operationcount for run.</summary>
    public long TotalOperations => Phase == YcsbPhase.Load ? Settings.InsertCount : Settings.OperationCount;

    /// <summary>Field names in record order (<c>field0</c>, <c>field1</c>, ...).</summary>
    public IReadOnlyList<string> FieldNames => _fieldNames;

    /// <summary>The next run-phase operation.</summary>
    public YcsbOperation NextOperation(Random random) =>
        _operations?.Next(random) ?? throw new InvalidOperationException("no operations in this phase");

    /// <summary>A key number of an existing record, drawn with the request distribution.</summary>
    public long NextKeyNumber(Random random)
    {
        INumberGenerator chooser = _keyChooser ?? throw new InvalidOperationException("no existing records to choose from");
        for (int i = 0; i < MaxRedraws; i++)
        {
            long number = chooser.Next(random);
            if (number <= InsertSequence.LastValue)
            {
                return number;
            }
        }

        return Settings.InsertStart + random.NextInt64(InsertSequence.LastValue - Settings.InsertStart + 1);
    }

    /// <summary>A scan length drawn from the scan length distribution.</summary>
    public int NextScanLength(Random random) => (int)Math.Min(int.MaxValue, _scanLength.Next(random));

    /// <summary>The stored key of key number <paramref name="keyNumber"/>.</summary>
    public byte[] Key(long keyNumber) => KeyNames.BuildBytes(keyNumber, Settings.OrderedInserts, Settings.ZeroPadding);

    /// <summary>A field index chosen uniformly.</summary>
    public int NextFieldIndex(Random random) => random.Next(_fieldNames.Length);

    /// <summary>A field value of fieldlength random bytes.</summary>
    public byte[] NextFieldValue(Random random)
    {
        byte[] value = new byte[Settings.FieldLength];
        random.NextBytes(value);
        return value;
    }

    /// <summary>A full record: every field with a fresh random value, encoded.</summary>
    public byte[] NextRecord(Random random)
    {
        var fields = new KeyValuePair<string, byte[]>[_fieldNames.Length];
        for (int i = 0; i < fields.Length; i++)
        {
            fields[i] = new KeyValuePair<string, byte[]>(_fieldNames[i], NextFieldValue(random));
        }

        return RecordCodec.Encode(fields);
    }

    /// <summary><paramref name="record"/> with field <paramref name="fieldIndex"/> set to a fresh random value (added when missing), encoded.</summary>
    /// <exception cref="FormatException"><paramref name="record"/> is not an encoded record.</exception>
    public byte[] WithNewField(byte[] record, int fieldIndex, Random random)
    {
        List<KeyValuePair<string, byte[]>> fields = RecordCodec.Decode(record);
        string name = _fieldNames[fieldIndex];
        var updated = new KeyValuePair<string, byte[]>(name, NextFieldValue(random));
        int at = fields.FindIndex(f => f.Key == name);
        if (at >= 0)
        {
            fields[at] = updated;
        }
        else
        {
            fields.Add(updated);
        }

        return RecordCodec.Encode(fields);
    }
}
