using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;

namespace ActorLsm.Hocon.Model;

/// <summary>
/// A HOCON object: string keys (case-sensitive) to values, in the order the keys were first defined.
/// Duplicate keys are merged by the parser as the HOCON specification describes
/// (objects merge recursively, any other later value replaces the earlier one).
/// </summary>
public sealed class HoconObject : HoconValue
{
    private readonly OrderedDictionary<string, HoconValue> _fields = new(StringComparer.Ordinal);

    internal HoconObject(HoconOrigin origin)
        : base(origin)
    {
    }

    /// <summary>Number of keys.</summary>
    public int Count => _fields.Count;

    /// <summary>The keys, in definition order.</summary>
    public IEnumerable<string> Keys => _fields.Keys;

    /// <summary>The key/value pairs, in definition order.</summary>
    public IEnumerable<KeyValuePair<string, HoconValue>> Fields => _fields;

    /// <summary>The value of <paramref name="key"/> (a single key, not a dotted path); null when absent.</summary>
    public HoconValue? this[string key] => _fields.TryGetValue(key, out var value) ? value : null;

    /// <summary>Looks up a single key (not a dotted path).</summary>
    public bool TryGetValue(string key, [MaybeNullWhen(false)] out HoconValue value) =>
        _fields.TryGetValue(key, out value);

    /// <inheritdoc />
    public override string Describe() => "an object";

    /// <summary>Sets or replaces <paramref name="key"/>, keeping the key's first position.</summary>
    internal void Set(string key, HoconValue value)
    {
        _fields[key] = value;
        AssertInvariants();
    }

    /// <summary>A copy whose nested objects are copied too, so later in-place merges cannot reach it.</summary>
    internal HoconObject DeepClone()
    {
        var copy = new HoconObject(Origin);
        foreach (var (key, value) in _fields)
        {
            copy._fields[key] = value is HoconObject nested ? nested.DeepClone() : value;
        }

        return copy;
    }

    /// <summary>
    /// Merges two resolved objects without changing either: keys of <paramref name="winner"/> win,
    /// nested objects present in both merge recursively, <paramref name="fallback"/> fills the gaps.
    /// </summary>
    internal static HoconObject Merge(HoconObject fallback, HoconObject winner)
    {
        var result = new HoconObject(winner.Origin);
        foreach (var (key, value) in fallback._fields)
        {
            result._fields[key] = value;
        }

        foreach (var (key, value) in winner._fields)
        {
            result._fields[key] = value is HoconObject w && result._fields.TryGetValue(key, out var existing) && existing is HoconObject f
                ? Merge(f, w)
                : value;
        }

        result.AssertInvariants();
        return result;
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        foreach (var (key, value) in _fields)
        {
            Debug.Assert(key is not null && value is not null, "an object never holds null keys or values");
            Debug.Assert(!ReferenceEquals(value, this), "an object never contains itself");
        }
    }
}
