using System.Globalization;

namespace ActorLsm.Cli.Ycsb;

/// <summary>
/// The properties of one YCSB run: a workload file's entries with <c>-p name=value</c>
/// overrides applied on top (YCSB's precedence: command line over file), read through typed
/// getters that fall back to a default when a name is absent.
/// </summary>
internal sealed class WorkloadProperties
{
    private readonly Dictionary<string, string> _values;

    public WorkloadProperties(IReadOnlyDictionary<string, string> values)
    {
        _values = new Dictionary<string, string>(values, StringComparer.Ordinal);
    }

    /// <summary>All names and values, overrides applied.</summary>
    public IReadOnlyDictionary<string, string> Values => _values;

    /// <summary>Loads <paramref name="workloadFile"/> and applies <paramref name="overrides"/> (each <c>name=value</c>) in order.</summary>
    /// <exception cref="WorkloadPropertyException">Unreadable file, or an override without <c>=</c> or with an empty name.</exception>
    public static WorkloadProperties Load(string workloadFile, IEnumerable<string> overrides)
    {
        var properties = new WorkloadProperties(PropertyFile.Load(workloadFile));
        properties.ApplyOverrides(overrides);
        return properties;
    }

    /// <summary>Applies <c>name=value</c> overrides in order; a later one wins.</summary>
    /// <exception cref="WorkloadPropertyException">An override without <c>=</c> or with an empty name.</exception>
    public void ApplyOverrides(IEnumerable<string> overrides)
    {
        foreach (string item in overrides)
        {
            int eq = item.IndexOf('=', StringComparison.Ordinal);
            string name = eq < 0 ? string.Empty : item[..eq].Trim();
            if (name.Length == 0)
            {
                throw new WorkloadPropertyException($"-p expects name=value, got '{item}'");
            }

            _values[name] = item[(eq + 1)..].Trim();
        }
    }

    public string GetString(string name, string defaultValue) =>
        _values.TryGetValue(name, out string? value) ? value : defaultValue;

    /// <exception cref="WorkloadPropertyException">The value is not an integer.</exception>
    public long GetLong(string name, long defaultValue)
    {
        if (!_values.TryGetValue(name, out string? value))
        {
            return defaultValue;
        }

        return long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long result)
            ? result
            : throw new WorkloadPropertyException($"property {name}: '{value}' is not an integer");
    }

    /// <exception cref="WorkloadPropertyException">The value is not an integer or does not fit 32 bits.</exception>
    public int GetInt(string name, int defaultValue)
    {
        long value = GetLong(name, defaultValue);
        return value is >= int.MinValue and <= int.MaxValue
            ? (int)value
            : throw new WorkloadPropertyException($"property {name}: {value} does not fit a 32-bit integer");
    }

    /// <exception cref="WorkloadPropertyException">The value is not a number.</exception>
    public double GetDouble(string name, double defaultValue)
    {
        if (!_values.TryGetValue(name, out string? value))
        {
            return defaultValue;
        }

        return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double result) && double.IsFinite(result)
            ? result
            : throw new WorkloadPropertyException($"property {name}: '{value}' is not a number");
    }

    /// <exception cref="WorkloadPropertyException">The value is neither <c>true</c> nor <c>false</c>.</exception>
    public bool GetBool(string name, bool defaultValue)
    {
        if (!_values.TryGetValue(name, out string? value))
        {
            return defaultValue;
        }

        return bool.TryParse(value, out bool result)
            ? result
            : throw new WorkloadPropertyException($"property {name}: '{value}' is not true or false");
    }
}
