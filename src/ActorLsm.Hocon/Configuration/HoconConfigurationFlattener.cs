using System.Globalization;
using ActorLsm.Hocon.Model;
using Microsoft.Extensions.Configuration;

namespace ActorLsm.Hocon.Configuration;

/// <summary>
/// Flattens a resolved HOCON tree into Microsoft.Extensions.Configuration keys: path segments joined with
/// <c>:</c> (<c>actorlsm:storage:block-size</c>), list elements as <c>key:0</c>, <c>key:1</c>; scalars keep their raw text,
/// <c>null</c>, empty objects and empty lists map to a null value.
/// </summary>
internal static class HoconConfigurationFlattener
{
    public static Dictionary<string, string?> Flatten(HoconObject root)
    {
        var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in root.Fields)
        {
            Visit(value, key, data);
        }

        return data;
    }

    private static void Visit(HoconValue value, string key, Dictionary<string, string?> data)
    {
        switch (value)
        {
            case HoconObject { Count: 0 }:
            case HoconArray { Items.Count: 0 }:
                data[key] = null;
                break;
            case HoconObject obj:
                foreach (var (child, childValue) in obj.Fields)
                {
                    Visit(childValue, ConfigurationPath.Combine(key, child), data);
                }

                break;
            case HoconArray array:
                for (var i = 0; i < array.Items.Count; i++)
                {
                    Visit(array.Items[i], ConfigurationPath.Combine(key, i.ToString(CultureInfo.InvariantCulture)), data);
                }

                break;
            case HoconScalar scalar:
                data[key] = scalar.IsNull ? null : scalar.Text;
                break;
            default:
                throw new InvalidOperationException($"unresolved HOCON value at '{key}'");
        }
    }
}
