using System.Diagnostics;
using System.Text;
using ActorLsm.Hocon.Model;

namespace ActorLsm.Hocon.Parsing;

/// <summary>
/// Resolves substitutions and concatenations of a parsed document (HOCON specification, "Substitutions"):
/// <c>${path}</c> is looked up in the whole document's final values, then in environment variables
/// (path segments joined with dots); <c>${?path}</c> that finds nothing leaves its field undefined.
/// Cycles are reported as <see cref="HoconException"/>. The result holds only objects, arrays and scalars.
/// </summary>
internal sealed class HoconResolver
{
    private readonly HoconObject _root;
    private readonly Func<string, string?> _environment;
    private readonly Dictionary<HoconValue, HoconValue?> _resolved = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<HoconValue> _active = new(ReferenceEqualityComparer.Instance);
    private readonly List<HoconSubstitution> _chain = [];

    private HoconResolver(HoconObject root, Func<string, string?> environment)
    {
        _root = root;
        _environment = environment;
    }

    /// <summary>Resolves <paramref name="root"/>; <paramref name="environment"/> defaults to process environment variables.</summary>
    /// <exception cref="HoconException">Missing non-optional substitution, cycle, or incompatible concatenation.</exception>
    public static HoconObject Resolve(HoconObject root, Func<string, string?>? environment = null)
    {
        var resolver = new HoconResolver(root, environment ?? Environment.GetEnvironmentVariable);
        var result = (HoconObject)resolver.ResolveValue(root)!;
        resolver.AssertInvariants();
        return result;
    }

    private HoconValue? ResolveValue(HoconValue value)
    {
        if (value is HoconScalar)
        {
            return value;
        }

        if (_resolved.TryGetValue(value, out var done))
        {
            return done;
        }

        if (!_active.Add(value))
        {
            throw CycleError(value);
        }

        HoconValue? result;
        try
        {
            result = value switch
            {
                HoconObject o => ResolveObject(o),
                HoconArray a => ResolveArray(a),
                HoconSubstitution s => ResolveSubstitution(s),
                HoconConcatenation c => ResolveConcatenation(c),
                HoconMerge m => ResolveMerge(m),
                _ => throw new UnreachableException($"unexpected node {value.GetType().Name}"),
            };
        }
        finally
        {
            _active.Remove(value);
        }

        _resolved[value] = result;
        return result;
    }

    private HoconObject ResolveObject(HoconObject obj)
    {
        var result = new HoconObject(obj.Origin);
        foreach (var (key, value) in obj.Fields)
        {
            if (ResolveValue(value) is { } resolved)
            {
                result.Set(key, resolved);
            }
        }

        return result;
    }

    private HoconArray ResolveArray(HoconArray array)
    {
        var result = new HoconArray(array.Origin);
        foreach (var item in array.Items)
        {
            if (ResolveValue(item) is { } resolved)
            {
                result.Add(resolved);
            }
        }

        return result;
    }

    private HoconValue? ResolveSubstitution(HoconSubstitution s)
    {
        _chain.Add(s);
        try
        {
            if (s.IsSelfReference)
            {
                if (s.Previous is { } previous && ResolveValue(previous) is { } earlier)
                {
                    return earlier;
                }
            }
            else if (Lookup(s.Path) is { } found)
            {
                return found;
            }
            else if (s.FallbackPath is { } fallback && Lookup(fallback) is { } foundAtRoot)
            {
                return foundAtRoot;
            }

            var variable = string.Join('.', s.FallbackPath ?? s.Path);
            if (_environment(variable) is { } env)
            {
                return new HoconScalar(env, isQuoted: true, s.Origin);
            }

            if (s.IsOptional)
            {
                return null;
            }

            throw new HoconException(
                $"could not resolve substitution ${{{s.PathText}}}: no such setting and no environment variable '{variable}'",
                s.Origin.FileName, s.Origin.Line, s.Origin.Column, s.PathText);
        }
        finally
        {
            _chain.RemoveAt(_chain.Count - 1);
        }
    }

    /// <summary>Walks the unresolved tree, resolving only the nodes the walk has to look inside.</summary>
    private HoconValue? Lookup(IReadOnlyList<string> path)
    {
        HoconValue current = _root;
        foreach (var segment in path)
        {
            if (current is not HoconObject)
            {
                if (ResolveValue(current) is not { } resolved)
                {
                    return null;
                }

                current = resolved;
            }

            if (current is not HoconObject obj || !obj.TryGetValue(segment, out var child))
            {
                return null;
            }

            current = child;
        }

        return ResolveValue(current);
    }

    private HoconValue? ResolveConcatenation(HoconConcatenation c)
    {
        var items = new List<HoconValue>();
        foreach (var part in c.Parts)
        {
            if (part is HoconWhitespace)
            {
                items.Add(part);
            }
            else if (ResolveValue(part) is { } resolved)
            {
                items.Add(resolved);
            }
        }

        // Whitespace next to an undefined optional substitution at either end is dropped.
        while (items.Count > 0 && items[0] is HoconWhitespace)
        {
            items.RemoveAt(0);
        }

        while (items.Count > 0 && items[^1] is HoconWhitespace)
        {
            items.RemoveAt(items.Count - 1);
        }

        if (items.Count <= 1)
        {
            return items.Count == 0 ? null : items[0];
        }

        var values = items.Where(i => i is not HoconWhitespace).ToList();
        if (values.Any(v => v is HoconObject or HoconArray))
        {
            var first = values[0];
            if (values.FirstOrDefault(v => v.GetType() != first.GetType()) is { } mismatch)
            {
                throw new HoconException(
                    $"cannot concatenate {first.Describe()} with {mismatch.Describe()}",
                    mismatch.Origin.FileName, mismatch.Origin.Line, mismatch.Origin.Column, path: null);
            }

            if (first is HoconObject)
            {
                return values.Cast<HoconObject>().Aggregate(HoconObject.Merge);
            }

            var array = new HoconArray(c.Origin);
            foreach (var item in values.Cast<HoconArray>().SelectMany(a => a.Items))
            {
                array.Add(item);
            }

            return array;
        }

        var sb = new StringBuilder();
        foreach (var item in items)
        {
            sb.Append(item is HoconWhitespace w ? w.Text : ((HoconScalar)item).Text);
        }

        return new HoconScalar(sb.ToString(), isQuoted: true, c.Origin);
    }

    private HoconValue? ResolveMerge(HoconMerge merge)
    {
        HoconValue? result = null;
        foreach (var value in merge.Values)
        {
            if (ResolveValue(value) is not { } resolved)
            {
                continue;
            }

            result = result is HoconObject earlier && resolved is HoconObject later
                ? HoconObject.Merge(earlier, later)
                : resolved;
        }

        return result;
    }

    private HoconException CycleError(HoconValue value)
    {
        var at = _chain.Count > 0 ? _chain[^1] : null;
        var origin = at?.Origin ?? value.Origin;
        var chain = string.Join(" -> ", _chain.Select(s => "${" + s.PathText + "}"));
        return new HoconException(
            $"substitution cycle: {chain} refers back to a value that is still being resolved",
            origin.FileName, origin.Line, origin.Column, at?.PathText);
    }

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_active.Count == 0, "no value is left half-resolved");
        Debug.Assert(_chain.Count == 0, "the substitution chain is empty after resolution");
    }
}
