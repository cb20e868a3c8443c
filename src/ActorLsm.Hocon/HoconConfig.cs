using System.Globalization;
using ActorLsm.Hocon.Model;
using ActorLsm.Hocon.Parsing;

namespace ActorLsm.Hocon;

/// <summary>
/// A parsed and fully resolved HOCON document with typed getters, modelled on Typesafe Config's <c>Config</c>.
/// Paths are HOCON path expressions (<c>actorlsm.storage.block-size</c>, <c>a."b.c"</c>). Every getter throws
/// <see cref="HoconException"/> naming the file, line and path when the setting is missing, null, or of the wrong
/// type, e.g. <c>node1.conf:12: actorlsm.storage.memtable-size: expected a size like 64MiB, got "abc"</c>.
/// Instances are immutable.
/// </summary>
public sealed class HoconConfig
{
    private const string StringSource = "<string>";

    private HoconConfig(HoconObject root)
    {
        Root = root;
    }

    /// <summary>An empty configuration (no settings).</summary>
    public static HoconConfig Empty { get; } = new(new HoconObject(new HoconOrigin(StringSource, 1, 1)));

    /// <summary>The resolved root object: only objects, arrays and scalars.</summary>
    public HoconObject Root { get; }

    /// <summary>
    /// Parses and resolves HOCON text. Includes are resolved relative to the directory of
    /// <paramref name="fileName"/> when given, else the current directory.
    /// </summary>
    /// <param name="text">The HOCON document.</param>
    /// <param name="fileName">Name used in error messages and for include resolution; <c>&lt;string&gt;</c> when null.</param>
    /// <exception cref="HoconException">Syntax error, missing include, unresolvable substitution, substitution cycle.</exception>
    public static HoconConfig Parse(string text, string? fileName = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var root = HoconParser.Parse(text, fileName ?? StringSource, fileName);
        return new HoconConfig(HoconResolver.Resolve(root));
    }

    /// <summary>Reads and parses the file at <paramref name="path"/> (UTF-8); errors name the path as given.</summary>
    /// <exception cref="HoconException">The file cannot be read, or any error of <see cref="Parse"/>.</exception>
    public static HoconConfig Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new HoconException($"cannot read configuration file: {ex.Message}", path, 0, 0, path: null, ex);
        }

        return Parse(text, path);
    }

    /// <summary>True when <paramref name="path"/> exists and is not null (as Typesafe Config's <c>hasPath</c>).</summary>
    /// <exception cref="HoconException">The path expression itself is invalid.</exception>
    public bool HasPath(string path) => Find(path, out _) is { } value && !(value is HoconScalar s && s.IsNull);

    /// <summary>The resolved value at <paramref name="path"/>, or null when absent.</summary>
    /// <exception cref="HoconException">The path expression itself is invalid.</exception>
    public HoconValue? GetValue(string path) => Find(path, out _);

    /// <summary>The value at <paramref name="path"/> as a string: any scalar's raw text (numbers and booleans included).</summary>
    /// <exception cref="HoconException">Missing, null, an object or a list.</exception>
    public string GetString(string path) => RequireScalar(path, "a string").Text;

    /// <summary>The value at <paramref name="path"/> as a 32-bit integer (invariant culture).</summary>
    /// <exception cref="HoconException">Missing, or not an integer in range.</exception>
    public int GetInt(string path) =>
        Convert<int>(path, "an integer", s => int.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : null);

    /// <summary>The value at <paramref name="path"/> as a 64-bit integer (invariant culture).</summary>
    /// <exception cref="HoconException">Missing, or not an integer in range.</exception>
    public long GetLong(string path) =>
        Convert<long>(path, "an integer", s => long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : null);

    /// <summary>The value at <paramref name="path"/> as a double (invariant culture, exponents allowed).</summary>
    /// <exception cref="HoconException">Missing, or not a number.</exception>
    public double GetDouble(string path) =>
        Convert<double>(path, "a number", s => double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : null);

    /// <summary>
    /// The value at <paramref name="path"/> as a boolean: <c>true</c>/<c>yes</c>/<c>on</c> or
    /// <c>false</c>/<c>no</c>/<c>off</c> (case-insensitive), as Typesafe Config accepts.
    /// </summary>
    /// <exception cref="HoconException">Missing, or not one of those words.</exception>
    public bool GetBool(string path) =>
        Convert<bool>(path, "a boolean (true/false/yes/no/on/off)", s => s.ToUpperInvariant() switch
        {
            "TRUE" or "YES" or "ON" => true,
            "FALSE" or "NO" or "OFF" => false,
            _ => null,
        });

    /// <summary>The value at <paramref name="path"/> parsed by <see cref="HoconDuration.Parse"/> (<c>30s</c>, <c>500ms</c>; bare numbers are milliseconds).</summary>
    /// <exception cref="HoconException">Missing, or not a duration.</exception>
    public TimeSpan GetDuration(string path) =>
        Convert(path, "a duration like 30s", s => HoconDuration.TryParse(s, out var v) ? v : (TimeSpan?)null);

    /// <summary>The value at <paramref name="path"/> parsed by <see cref="HoconSize.Parse"/>, in bytes (<c>64MiB</c>, <c>512k</c>, <c>4096</c>).</summary>
    /// <exception cref="HoconException">Missing, or not a size.</exception>
    public long GetBytes(string path) =>
        Convert(path, "a size like 64MiB", s => HoconSize.TryParse(s, out var v) ? v : (long?)null);

    /// <summary>The list at <paramref name="path"/> as strings (each element's raw text).</summary>
    /// <exception cref="HoconException">Missing, not a list, or an element that is an object, a list or null.</exception>
    public IReadOnlyList<string> GetStringList(string path)
    {
        var value = Require(path);
        if (value is not HoconArray array)
        {
            throw WrongType(path, value, "a list of strings");
        }

        var result = new List<string>(array.Items.Count);
        for (var i = 0; i < array.Items.Count; i++)
        {
            var item = array.Items[i];
            if (item is not HoconScalar s || s.IsNull)
            {
                throw WrongType(path + "." + i.ToString(CultureInfo.InvariantCulture), item, "a string in the list");
            }

            result.Add(s.Text);
        }

        return result;
    }

    /// <summary>The object at <paramref name="path"/> as its own configuration (paths relative to it).</summary>
    /// <exception cref="HoconException">Missing, or not an object.</exception>
    public HoconConfig GetConfig(string path) =>
        Require(path) is HoconObject obj ? new HoconConfig(obj) : throw WrongType(path, Require(path), "an object");

    /// <summary>
    /// This configuration with <paramref name="fallback"/> filling the gaps, as Typesafe Config's <c>withFallback</c>:
    /// settings of this instance win; objects present in both merge recursively. Both inputs are already resolved,
    /// so substitutions in one do not see the other.
    /// </summary>
    public HoconConfig WithFallback(HoconConfig fallback)
    {
        ArgumentNullException.ThrowIfNull(fallback);
        return new HoconConfig(HoconObject.Merge(fallback.Root, Root));
    }

    private HoconValue? Find(string path, out HoconValue deepest)
    {
        ArgumentNullException.ThrowIfNull(path);
        IReadOnlyList<string> segments;
        try
        {
            segments = HoconPath.Parse(path);
        }
        catch (HoconException ex)
        {
            throw new HoconException(ex.Reason, Root.Origin.FileName, 0, 0, path, ex);
        }

        HoconValue current = Root;
        deepest = current;
        foreach (var segment in segments)
        {
            if (current is not HoconObject obj || !obj.TryGetValue(segment, out var child))
            {
                return null;
            }

            current = child;
            deepest = current;
        }

        return current;
    }

    private HoconValue Require(string path)
    {
        if (Find(path, out var deepest) is { } value)
        {
            return value;
        }

        var origin = deepest.Origin;
        var where = ReferenceEquals(deepest, Root) ? "the document" : $"the {(deepest is HoconObject ? "object" : "value")} at line {origin.Line}";
        throw new HoconException($"missing setting (not found in {where})", origin.FileName, origin.Line, 0, path);
    }

    private HoconScalar RequireScalar(string path, string expected)
    {
        var value = Require(path);
        return value is HoconScalar { IsNull: false } s ? s : throw WrongType(path, value, expected);
    }

    private T Convert<T>(string path, string expected, Func<string, T?> convert)
        where T : struct
    {
        var scalar = RequireScalar(path, expected);
        return convert(scalar.Text.Trim()) ?? throw WrongType(path, scalar, expected);
    }

    private static HoconException WrongType(string path, HoconValue value, string expected) =>
        new($"expected {expected}, got {value.Describe()}", value.Origin.FileName, value.Origin.Line, 0, path);
}
