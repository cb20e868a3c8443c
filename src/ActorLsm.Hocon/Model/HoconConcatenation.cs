namespace ActorLsm.Hocon.Model;

/// <summary>
/// Several values written side by side (<c>${a} " and " b</c>, <c>${list} [4, 5]</c>, <c>${base} { x = 1 }</c>),
/// resolved as a string, array or object concatenation (HOCON specification, "Value concatenation").
/// Whitespace between parts is kept as <see cref="HoconWhitespace"/> parts.
/// </summary>
internal sealed class HoconConcatenation : HoconValue
{
    public HoconConcatenation(IReadOnlyList<HoconValue> parts, HoconOrigin origin)
        : base(origin)
    {
        Parts = parts;
    }

    public IReadOnlyList<HoconValue> Parts { get; }

    public override string Describe() => "a concatenation";
}

/// <summary>Whitespace between two parts of a concatenation; it counts only in string concatenation.</summary>
internal sealed class HoconWhitespace : HoconValue
{
    public HoconWhitespace(string text, HoconOrigin origin)
        : base(origin)
    {
        Text = text;
    }

    public string Text { get; }

    public override string Describe() => "whitespace";
}

/// <summary>
/// Successive definitions of one key that could not be merged while parsing because one of them is unresolved
/// (<c>a = ${x}</c> then <c>a { y = 1 }</c>). Resolved left to right: objects merge, anything else replaces.
/// </summary>
internal sealed class HoconMerge : HoconValue
{
    private HoconMerge(IReadOnlyList<HoconValue> values)
        : base(values[^1].Origin)
    {
        Values = values;
    }

    public IReadOnlyList<HoconValue> Values { get; }

    public static HoconMerge Of(HoconValue earlier, HoconValue later)
    {
        var values = new List<HoconValue>();
        if (earlier is HoconMerge m)
        {
            values.AddRange(m.Values);
        }
        else
        {
            values.Add(earlier);
        }

        values.Add(later);
        return new HoconMerge(values);
    }

    public static HoconValue Of(IReadOnlyList<HoconValue> values) =>
        values.Count == 1 ? values[0] : new HoconMerge(values);

    public override string Describe() => "a merge";
}
