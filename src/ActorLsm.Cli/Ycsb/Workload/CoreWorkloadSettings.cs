namespace ActorLsm.Cli.Ycsb;

/// <summary>How run-phase operations pick an existing record.</summary>
internal enum RequestDistribution
{
    Uniform,
    Zipfian,
    Latest,
    Hotspot,
}

/// <summary>
/// The settings of YCSB's CoreWorkload read from <see cref="WorkloadProperties"/>, with YCSB's
/// documented property names and defaults (workload_template lists them). Properties this runner
/// does not implement (e.g. <c>requestdistribution=exponential</c>) are refused with
/// <see cref="WorkloadPropertyException"/> rather than silently replaced; properties it does not
/// know (measurement, table, ...) are ignored as YCSB ignores those its binding does not use.
/// </summary>
internal sealed record CoreWorkloadSettings
{
    public long RecordCount { get; init; }

    public long OperationCount { get; init; }

    /// <summary>First key number the load phase inserts (<c>insertstart</c>).</summary>
    public long InsertStart { get; init; }

    /// <summary>Records the load phase inserts (<c>insertcount</c>; default recordcount - insertstart).</summary>
    public long InsertCount { get; init; }

    public int FieldCount { get; init; } = 10;

    public int FieldLength { get; init; } = 100;

    public string FieldNamePrefix { get; init; } = "field";

    public bool ReadAllFields { get; init; } = true;

    public bool WriteAllFields { get; init; }

    public double ReadProportion { get; init; } = 0.95;

    public double UpdateProportion { get; init; } = 0.05;

    public double InsertProportion { get; init; }

    public double ScanProportion { get; init; }

    public double ReadModifyWriteProportion { get; init; }

    public RequestDistribution RequestDistribution { get; init; } = RequestDistribution.Uniform;

    public double HotspotDataFraction { get; init; } = 0.2;

    public double HotspotOpnFraction { get; init; } = 0.8;

    public long MinScanLength { get; init; } = 1;

    public long MaxScanLength { get; init; } = 1000;

    /// <summary>True for <c>scanlengthdistribution=zipfian</c>; uniform otherwise.</summary>
    public bool ZipfianScanLength { get; init; }

    /// <summary>True for <c>insertorder=ordered</c> (key numbers in sequence); false for hashed.</summary>
    public bool OrderedInserts { get; init; }

    /// <summary>Minimum digits of the key number (<c>zeropadding</c>), padded with leading zeros.</summary>
    public int ZeroPadding { get; init; } = 1;

    /// <summary>Reads and validates the CoreWorkload settings.</summary>
    /// <exception cref="WorkloadPropertyException">A malformed, out-of-range or unsupported value.</exception>
    public static CoreWorkloadSettings From(WorkloadProperties p)
    {
        string workload = p.GetString("workload", "site.ycsb.workloads.CoreWorkload");
        if (workload != "CoreWorkload" && !workload.EndsWith(".CoreWorkload", StringComparison.Ordinal))
        {
            throw new WorkloadPropertyException($"workload {workload} is not supported; only CoreWorkload is implemented");
        }

        long recordCount = p.GetLong("recordcount", 0);
        long insertStart = p.GetLong("insertstart", 0);
        var settings = new CoreWorkloadSettings
        {
            RecordCount = recordCount,
            OperationCount = p.GetLong("operationcount", 0),
            InsertStart = insertStart,
            InsertCount = p.GetLong("insertcount", recordCount - insertStart),
            FieldCount = p.GetInt("fieldcount", 10),
            FieldLength = p.GetInt("fieldlength", 100),
            FieldNamePrefix = p.GetString("fieldnameprefix", "field"),
            ReadAllFields = p.GetBool("readallfields", true),
            WriteAllFields = p.GetBool("writeallfields", false),
            ReadProportion = p.GetDouble("readproportion", 0.95),
            UpdateProportion = p.GetDouble("updateproportion", 0.05),
            InsertProportion = p.GetDouble("insertproportion", 0),
            ScanProportion = p.GetDouble("scanproportion", 0),
            ReadModifyWriteProportion = p.GetDouble("readmodifywriteproportion", 0),
            RequestDistribution = ParseDistribution(p.GetString("requestdistribution", "uniform")),
            HotspotDataFraction = p.GetDouble("hotspotdatafraction", 0.2),
            HotspotOpnFraction = p.GetDouble("hotspotopnfraction", 0.8),
            MinScanLength = p.GetLong("minscanlength", 1),
            MaxScanLength = p.GetLong("maxscanlength", 1000),
            ZipfianScanLength = ParseScanLengthDistribution(p.GetString("scanlengthdistribution", "uniform")),
            OrderedInserts = ParseInsertOrder(p.GetString("insertorder", "hashed")),
            ZeroPadding = p.GetInt("zeropadding", 1),
        };

        string fieldLengthDistribution = p.GetString("fieldlengthdistribution", "constant");
        if (fieldLengthDistribution != "constant")
        {
            throw new WorkloadPropertyException($"fieldlengthdistribution={fieldLengthDistribution} is not supported; use constant");
        }

        settings.Validate();
        return settings;
    }

    private void Validate()
    {
        Require(RecordCount >= 0, "recordcount must be >= 0");
        Require(OperationCount >= 0, "operationcount must be >= 0");
        Require(InsertStart >= 0, "insertstart must be >= 0");
        Require(InsertCount >= 0, "insertcount must be >= 0");
        Require(FieldCount is > 0 and <= ushort.MaxValue, "fieldcount must be in [1, 65535]");
        Require(FieldLength >= 0, "fieldlength must be >= 0");
        Require(ReadProportion >= 0 && UpdateProportion >= 0 && InsertProportion >= 0 && ScanProportion >= 0 && ReadModifyWriteProportion >= 0, "operation proportions must be >= 0");
        Require(ReadProportion + UpdateProportion + InsertProportion + ScanProportion + ReadModifyWriteProportion > 0 || OperationCount == 0, "the operation proportions sum to 0");
        Require(HotspotDataFraction is >= 0 and <= 1 && HotspotOpnFraction is >= 0 and <= 1, "hotspot fractions must be in [0, 1]");
        Require(MinScanLength >= 1 && MaxScanLength >= MinScanLength, "scan lengths need 1 <= minscanlength <= maxscanlength");
        Require(ZeroPadding is >= 1 and <= 64, "zeropadding must be in [1, 64]");
    }

    private static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new WorkloadPropertyException(message);
        }
    }

    private static RequestDistribution ParseDistribution(string value) => value switch
    {
        "uniform" => RequestDistribution.Uniform,
        "zipfian" => RequestDistribution.Zipfian,
        "latest" => RequestDistribution.Latest,
        "hotspot" => RequestDistribution.Hotspot,
        _ => throw new WorkloadPropertyException($"requestdistribution={value} is not supported; use uniform, zipfian, latest or hotspot"),
    };

    private static bool ParseScanLengthDistribution(string value) => value switch
    {
        "uniform" => false,
        "zipfian" => true,
        _ => throw new WorkloadPropertyException($"scanlengthdistribution={value} is not supported; use uniform or zipfian"),
    };

    private static bool ParseInsertOrder(string value) => value switch
    {
        "hashed" => false,
        "ordered" => true,
        _ => throw new WorkloadPropertyException($"insertorder={value} is not supported; use hashed or ordered"),
    };
}
