using ActorLsm.Cli.Ycsb;

namespace ActorLsm.Cli.Tests;

public class PropertiesTests
{
    [Fact]
    public void Parse_JavaPropertiesSyntax_ReadsEveryForm()
    {
        const string text = "# comment\n! also a comment\n  recordcount = 500 \nfieldlength:42\nfieldcount 7\n"
            + "table=user\\\n    table\nescaped=a\\tb\\u0041\\=c\nempty=\nrecordcount=600\r\n";

        Dictionary<string, string> values = PropertyFile.Parse(text, "test");

        Assert.Equal("600", values["recordcount"]); // a later definition wins
        Assert.Equal("42", values["fieldlength"]);
        Assert.Equal("7", values["fieldcount"]);
        Assert.Equal("usertable", values["table"]);
        Assert.Equal("a\tbA=c", values["escaped"]);
        Assert.Equal(string.Empty, values["empty"]);
        Assert.Equal(6, values.Count);
    }

    [Fact]
    public void Parse_BadUnicodeEscape_ThrowsWithLocation()
    {
        var e = Assert.Throws<WorkloadPropertyException>(() => PropertyFile.Parse("a=1\nname=\\u12\n", "wl"));
        Assert.Contains("wl:2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_WithOverrides_OverridesWinInOrder()
    {
        string path = WorkloadTexts.WriteTemp(WorkloadTexts.UpdateHeavy);
        try
        {
            WorkloadProperties p = WorkloadProperties.Load(path, ["recordcount=500", "operationcount = 7", "recordcount=501", "newprop=x=y"]);

            Assert.Equal(501, p.GetLong("recordcount", 0));
            Assert.Equal(7, p.GetLong("operationcount", 0));
            Assert.Equal("x=y", p.GetString("newprop", ""));
            Assert.Equal(0.5, p.GetDouble("readproportion", 0));
            Assert.Equal("zipfian", p.GetString("requestdistribution", ""));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData("recordcount")]
    [InlineData("=5")]
    [InlineData(" =5")]
    public void ApplyOverrides_WithoutName_Throws(string item)
    {
        var p = new WorkloadProperties(new Dictionary<string, string>());
        Assert.Throws<WorkloadPropertyException>(() => p.ApplyOverrides([item]));
    }

    [Fact]
    public void Load_MissingFile_ThrowsTyped()
    {
        var e = Assert.Throws<WorkloadPropertyException>(() => WorkloadProperties.Load("/nonexistent/workloadz", []));
        Assert.Contains("/nonexistent/workloadz", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void From_EmptyProperties_HasCoreWorkloadDefaults()
    {
        CoreWorkloadSettings s = CoreWorkloadSettings.From(new WorkloadProperties(new Dictionary<string, string> { ["recordcount"] = "10" }));

        Assert.Equal(10, s.FieldCount);
        Assert.Equal(100, s.FieldLength);
        Assert.True(s.ReadAllFields);
        Assert.False(s.WriteAllFields);
        Assert.Equal(0.95, s.ReadProportion);
        Assert.Equal(0.05, s.UpdateProportion);
        Assert.Equal(RequestDistribution.Uniform, s.RequestDistribution);
        Assert.Equal(1000, s.MaxScanLength);
        Assert.False(s.OrderedInserts);
        Assert.Equal(1, s.ZeroPadding);
        Assert.Equal(10, s.InsertCount);
    }

    [Fact]
    public void From_UpdateHeavyWorkloadWithOverrides_ReadsSettings()
    {
        var p = new WorkloadProperties(PropertyFile.Parse(WorkloadTexts.UpdateHeavy, "a"));
        p.ApplyOverrides(["insertorder=ordered", "zeropadding=12", "requestdistribution=latest", "writeallfields=true"]);

        CoreWorkloadSettings s = CoreWorkloadSettings.From(p);

        Assert.Equal(1000, s.RecordCount);
        Assert.Equal(0.5, s.ReadProportion);
        Assert.Equal(0.5, s.UpdateProportion);
        Assert.True(s.OrderedInserts);
        Assert.Equal(12, s.ZeroPadding);
        Assert.Equal(RequestDistribution.Latest, s.RequestDistribution);
        Assert.True(s.WriteAllFields);
    }

    [Theory]
    [InlineData("requestdistribution=exponential")]
    [InlineData("insertorder=random")]
    [InlineData("fieldlengthdistribution=zipfian")]
    [InlineData("recordcount=ten")]
    [InlineData("readallfields=maybe")]
    [InlineData("fieldcount=0")]
    [InlineData("fieldcount=99999999999")]
    [InlineData("readproportion=-1")]
    [InlineData("workload=site.ycsb.workloads.TimeSeriesWorkload")]
    public void From_UnsupportedOrMalformedValue_Throws(string item)
    {
        var p = new WorkloadProperties(PropertyFile.Parse(WorkloadTexts.UpdateHeavy, "a"));
        p.ApplyOverrides([item]);
        Assert.Throws<WorkloadPropertyException>(() => CoreWorkloadSettings.From(p));
    }
}
