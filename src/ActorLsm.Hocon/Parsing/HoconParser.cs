using System.Diagnostics;
using ActorLsm.Hocon.Model;

namespace ActorLsm.Hocon.Parsing;

/// <summary>
/// Recursive-descent parser producing an unresolved <see cref="HoconObject"/> tree (HOCON specification):
/// optional root braces, <c>=</c> / <c>:</c> / no separator before <c>{</c>, <c>+=</c>, commas or newlines between
/// fields, dotted keys, value concatenation, duplicate-key merging, and <c>include</c> relative to the including file.
/// Substitutions stay unresolved (see <see cref="HoconResolver"/>), except that self-references
/// (<c>a = ${a} [1]</c>) capture the value the field had before this definition.
/// </summary>
internal sealed class HoconParser
{
    private const int MaxIncludeDepth = 32;

    /// <summary>Objects whose braces are open, outermost first, with their absolute paths (null inside arrays).</summary>
    private readonly List<(HoconObject Object, IReadOnlyList<string>? Path)> _open = [];
    private readonly List<string> _includeChain = [];
    private List<HoconToken> _tokens;
    private int _index;
    private string _fileName;
    private string _baseDirectory;
    private IReadOnlyList<string> _substitutionPrefix = [];

    private HoconParser(List<HoconToken> tokens, string fileName, string baseDirectory)
    {
        _tokens = tokens;
        _fileName = fileName;
        _baseDirectory = baseDirectory;
    }

    /// <summary>Parses a document.</summary>
    /// <param name="text">The HOCON text.</param>
    /// <param name="fileName">Name used in errors and origins.</param>
    /// <param name="sourcePath">Path of the file on disk (for include resolution and include cycles); null for text.</param>
    /// <exception cref="HoconException">Any syntax error, a missing or cyclic include.</exception>
    public static HoconObject Parse(string text, string fileName, string? sourcePath)
    {
        var fullPath = sourcePath is null ? null : System.IO.Path.GetFullPath(sourcePath);
        var baseDirectory = fullPath is null ? Directory.GetCurrentDirectory() : System.IO.Path.GetDirectoryName(fullPath) ?? Directory.GetCurrentDirectory();
        var parser = new HoconParser(HoconTokenizer.Tokenize(text, fileName), fileName, baseDirectory);
        if (fullPath is not null)
        {
            parser._includeChain.Add(fullPath);
        }

        var root = new HoconObject(new HoconOrigin(fileName, 1, 1));
        parser._open.Add((root, []));
        parser.ParseDocumentInto(root, []);
        return root;
    }

    private HoconToken Current => _tokens[_index];

    private HoconToken Next()
    {
        var t = _tokens[_index];
        if (t.Kind != HoconTokenKind.End)
        {
            _index++;
        }

        AssertInvariants();
        return t;
    }

    /// <summary>A whole file: either <c>{ ... }</c> or fields without root braces.</summary>
    private void ParseDocumentInto(HoconObject target, IReadOnlyList<string>? path)
    {
        SkipWhitespaceAndNewlines();
        var t = Current;
        if (t.Kind == HoconTokenKind.LeftBracket)
        {
            throw Error(t, "the root of a HOCON document must be an object, not an array");
        }

        if (t.Kind == HoconTokenKind.LeftBrace)
        {
            Next();
            ParseBody(target, path, t);
            SkipWhitespaceAndNewlines();
            if (Current.Kind != HoconTokenKind.End)
            {
                throw Error(Current, $"unexpected {Current.Describe()} after the closing '}}' of the root object");
            }

            return;
        }

        ParseBody(target, path, openBrace: null);
    }

    /// <summary>Fields up to the matching <c>}</c> (or the end of the file when <paramref name="openBrace"/> is null).</summary>
    private void ParseBody(HoconObject target, IReadOnlyList<string>? path, HoconToken? openBrace)
    {
        while (true)
        {
            SkipWhitespaceAndNewlines();
            var t = Current;
            if (t.Kind == HoconTokenKind.RightBrace)
            {
                if (openBrace is null)
                {
                    throw Error(t, "unexpected '}' without a matching '{'");
                }

                Next();
                return;
            }

            if (t.Kind == HoconTokenKind.End)
            {
                if (openBrace is { } open)
                {
                    throw Error(open, "unclosed '{': the end of the file came before the matching '}'");
                }

                return;
            }

            if (IsInclude())
            {
                ParseInclude(target, path);
            }
            else
            {
                ParseField(target, path);
            }

            SkipWhitespace();
            t = Current;
            if (t.Kind == HoconTokenKind.Comma)
            {
                Next();
            }
            else if (t.Kind is not (HoconTokenKind.Newline or HoconTokenKind.RightBrace or HoconTokenKind.End))
            {
                throw Error(t, $"expected ',' or a new line after the value, got {t.Describe()}");
            }
        }
    }

    private void ParseField(HoconObject target, IReadOnlyList<string>? objectPath)
    {
        var key = ParseKey();
        IReadOnlyList<string>? fullPath = objectPath is null ? null : [.. objectPath, .. key];
        var separator = Current;
        HoconValue value;
        switch (separator.Kind)
        {
            case HoconTokenKind.LeftBrace:
                value = ParseValue(fullPath);
                break;
            case HoconTokenKind.Equals or HoconTokenKind.Colon:
                Next();
                SkipWhitespaceAndNewlines();
                value = ParseValue(fullPath);
                break;
            case HoconTokenKind.PlusEquals:
                Next();
                SkipWhitespaceAndNewlines();
                value = ParseAppend(target, key, fullPath, separator);
                break;
            default:
                throw Error(separator, $"expected '=', ':', '+=' or '{{' after the key '{HoconPath.Render(key)}', got {separator.Describe()}", key);
        }

        if (fullPath is not null)
        {
            MarkSelfReferences(value, fullPath, new Lazy<HoconValue?>(() => LookupPrevious(fullPath)));
        }

        SetPath(target, key, value);
    }

    /// <summary><c>a += v</c> is <c>a = ${?a} [v]</c> (HOCON specification, "The += field separator").</summary>
    private HoconValue ParseAppend(HoconObject target, IReadOnlyList<string> key, IReadOnlyList<string>? fullPath, HoconToken at)
    {
        var origin = OriginOf(at);
        var element = ParseValue(objectPath: null);
        var array = new HoconArray(element.Origin);
        array.Add(element);
        var self = new HoconSubstitution(fullPath ?? key, fallbackPath: null, isOptional: true, origin);
        self.MarkSelfReference(fullPath is null ? Lookup(target, key, 0) : LookupPrevious(fullPath));
        return new HoconConcatenation([self, array], origin);
    }

    private IReadOnlyList<string> ParseKey()
    {
        var start = Current;
        if (start.Kind is not (HoconTokenKind.Unquoted or HoconTokenKind.Quoted))
        {
            throw Error(start, $"expected a key, got {start.Describe()}");
        }

        var builder = new HoconPathBuilder(reason => Error(start, "invalid key: " + reason));
        string? pendingWhitespace = null;
        while (true)
        {
            var t = Current;
            if (t.Kind == HoconTokenKind.Whitespace)
            {
                pendingWhitespace = t.Text;
                Next();
                continue;
            }

            if (t.Kind is not (HoconTokenKind.Unquoted or HoconTokenKind.Quoted))
            {
                return builder.Finish();
            }

            if (pendingWhitespace is not null)
            {
                builder.AddWhitespace(pendingWhitespace);
                pendingWhitespace = null;
            }

            if (t.Kind == HoconTokenKind.Unquoted)
            {
                builder.AddUnquoted(t.Text);
            }
            else
            {
                builder.AddQuoted(t.Text);
            }

            Next();
        }
    }

    /// <summary>One value, possibly a concatenation of several simple values, up to a separator or end of line.</summary>
    private HoconValue ParseValue(IReadOnlyList<string>? objectPath)
    {
        var parts = new List<HoconValue>();
        HoconWhitespace? pendingWhitespace = null;
        while (true)
        {
            var t = Current;
            if (t.Kind == HoconTokenKind.Whitespace)
            {
                if (parts.Count > 0)
                {
                    pendingWhitespace = new HoconWhitespace(t.Text, OriginOf(t));
                }

                Next();
                continue;
            }

            if (t.Kind is not (HoconTokenKind.Unquoted or HoconTokenKind.Quoted or HoconTokenKind.Substitution
                or HoconTokenKind.LeftBrace or HoconTokenKind.LeftBracket))
            {
                break;
            }

            if (pendingWhitespace is not null)
            {
                parts.Add(pendingWhitespace);
                pendingWhitespace = null;
            }

            parts.Add(ParseSimpleValue(objectPath));
        }

        if (parts.Count == 0)
        {
            throw Error(Current, $"expected a value, got {Current.Describe()}");
        }

        return parts.Count == 1 ? parts[0] : new HoconConcatenation(parts, parts[0].Origin);
    }

    private HoconValue ParseSimpleValue(IReadOnlyList<string>? objectPath)
    {
        var t = Next();
        var origin = OriginOf(t);
        switch (t.Kind)
        {
            case HoconTokenKind.Unquoted:
                return new HoconScalar(t.Text, isQuoted: false, origin);
            case HoconTokenKind.Quoted:
                return new HoconScalar(t.Text, isQuoted: true, origin);
            case HoconTokenKind.Substitution:
                var path = t.SubstitutionPath!;
                return _substitutionPrefix.Count == 0
                    ? new HoconSubstitution(path, fallbackPath: null, t.IsOptional, origin)
                    : new HoconSubstitution([.. _substitutionPrefix, .. path], path, t.IsOptional, origin);
            case HoconTokenKind.LeftBrace:
                var obj = new HoconObject(origin);
                _open.Add((obj, objectPath));
                ParseBody(obj, objectPath, t);
                _open.RemoveAt(_open.Count - 1);
                return obj;
            default:
                Debug.Assert(t.Kind == HoconTokenKind.LeftBracket, "ParseValue only calls here for value tokens");
                return ParseArrayBody(t);
        }
    }

    private HoconArray ParseArrayBody(HoconToken open)
    {
        var array = new HoconArray(OriginOf(open));
        while (true)
        {
            SkipWhitespaceAndNewlines();
            var t = Current;
            if (t.Kind == HoconTokenKind.RightBracket)
            {
                Next();
                return array;
            }

            if (t.Kind == HoconTokenKind.End)
            {
                throw Error(open, "unclosed '[': the end of the file came before the matching ']'");
            }

            array.Add(ParseValue(objectPath: null));
            SkipWhitespace();
            t = Current;
            if (t.Kind == HoconTokenKind.Comma)
            {
                Next();
            }
            else if (t.Kind is not (HoconTokenKind.Newline or HoconTokenKind.RightBracket or HoconTokenKind.End))
            {
                throw Error(t, $"expected ',', ']' or a new line in the list, got {t.Describe()}");
            }
        }
    }

    private bool IsInclude()
    {
        var t = Current;
        if (t.Kind != HoconTokenKind.Unquoted || t.Text != "include" || _index + 2 >= _tokens.Count
            || _tokens[_index + 1].Kind != HoconTokenKind.Whitespace)
        {
            return false;
        }

        var target = _tokens[_index + 2];
        return target.Kind == HoconTokenKind.Quoted
            || (target.Kind == HoconTokenKind.Unquoted && target.Text.EndsWith('('));
    }

    /// <summary>
    /// <c>include "f"</c>, <c>include file("f")</c>, <c>include required(file("f"))</c>. Every include is treated as
    /// required: a missing file is an error. <c>url(...)</c> and <c>classpath(...)</c> are rejected.
    /// </summary>
    private void ParseInclude(HoconObject target, IReadOnlyList<string>? path)
    {
        var include = Next();
        SkipWhitespace();
        var t = Current;
        var parens = 0;
        string? kind = null;
        if (t.Kind == HoconTokenKind.Unquoted)
        {
            foreach (var name in t.Text.Split('(')[..^1])
            {
                parens++;
                switch (name)
                {
                    case "required" when parens == 1:
                        break;
                    case "file" or "url" or "classpath" when kind is null:
                        kind = name;
                        break;
                    default:
                        throw Error(t, $"unexpected '{name}(' in include; expected file(\"...\") or required(file(\"...\"))");
                }
            }

            Next();
            t = Current;
        }

        if (t.Kind != HoconTokenKind.Quoted)
        {
            throw Error(t, $"expected a quoted file name after include, got {t.Describe()}");
        }

        var fileName = Next().Text;
        if (parens > 0)
        {
            var close = Current;
            if (close.Kind != HoconTokenKind.Unquoted || close.Text != new string(')', parens))
            {
                throw Error(close, $"expected {new string(')', parens)} to close the include, got {close.Describe()}");
            }

            Next();
        }

        if (kind is "url" or "classpath")
        {
            throw Error(include, $"include {kind}(...) is not supported; use include file(\"...\")");
        }

        IncludeFile(fileName, target, path, include);
    }

    private void IncludeFile(string name, HoconObject target, IReadOnlyList<string>? path, HoconToken at)
    {
        var physical = FindIncludedFile(name, at);
        if (_includeChain.Contains(physical, StringComparer.Ordinal) || _includeChain.Count >= MaxIncludeDepth)
        {
            throw Error(at, $"include cycle: '{name}' is already being included ({string.Join(" -> ", _includeChain)})");
        }

        var displayName = System.IO.Path.IsPathRooted(name)
            ? name
            : System.IO.Path.Combine(System.IO.Path.GetDirectoryName(_fileName) ?? string.Empty, name);
        string text;
        try
        {
            text = File.ReadAllText(physical);
        }
        catch (IOException ex)
        {
            throw new HoconException($"cannot read included file '{physical}': {ex.Message}", _fileName, at.Line, at.Column, path: null, ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            throw new HoconException($"cannot read included file '{physical}': {ex.Message}", _fileName, at.Line, at.Column, path: null, ex);
        }

        var (savedTokens, savedIndex, savedFile, savedBase, savedPrefix) = (_tokens, _index, _fileName, _baseDirectory, _substitutionPrefix);
        _includeChain.Add(physical);
        try
        {
            _tokens = HoconTokenizer.Tokenize(text, displayName);
            _index = 0;
            _fileName = displayName;
            _baseDirectory = System.IO.Path.GetDirectoryName(physical) ?? savedBase;
            _substitutionPrefix = path ?? [];
            ParseDocumentInto(target, path);
        }
        finally
        {
            (_tokens, _index, _fileName, _baseDirectory, _substitutionPrefix) = (savedTokens, savedIndex, savedFile, savedBase, savedPrefix);
            _includeChain.RemoveAt(_includeChain.Count - 1);
        }
    }

    /// <summary>Relative names resolve against the including file's directory; without an extension, .conf then .json are tried.</summary>
    private string FindIncludedFile(string name, HoconToken at)
    {
        var candidate = System.IO.Path.GetFullPath(System.IO.Path.Combine(_baseDirectory, name));
        if (File.Exists(candidate))
        {
            return candidate;
        }

        if (!System.IO.Path.HasExtension(name))
        {
            foreach (var extension in (string[])[".conf", ".json"])
            {
                if (File.Exists(candidate + extension))
                {
                    return candidate + extension;
                }
            }
        }

        throw Error(at, $"included file '{name}' not found (looked for '{candidate}')");
    }

    /// <summary>Marks <c>${path}</c> parts that refer to the field being defined, handing them its earlier value.</summary>
    private static void MarkSelfReferences(HoconValue value, IReadOnlyList<string> fullPath, Lazy<HoconValue?> previous)
    {
        switch (value)
        {
            case HoconSubstitution s when !s.IsSelfReference && s.Path.SequenceEqual(fullPath, StringComparer.Ordinal):
                s.MarkSelfReference(previous.Value);
                break;
            case HoconConcatenation c:
                foreach (var part in c.Parts)
                {
                    MarkSelfReferences(part, fullPath, previous);
                }

                break;
            case HoconArray a:
                foreach (var item in a.Items)
                {
                    MarkSelfReferences(item, fullPath, previous);
                }

                break;
        }
    }

    /// <summary>
    /// The value <paramref name="fullPath"/> has so far: its value in each open object (outermost first), merged.
    /// Objects are copied so that later in-place merges do not change the captured value.
    /// </summary>
    private HoconValue? LookupPrevious(IReadOnlyList<string> fullPath)
    {
        var found = new List<HoconValue>();
        foreach (var (obj, prefix) in _open)
        {
            if (prefix is null || prefix.Count >= fullPath.Count || !fullPath.Take(prefix.Count).SequenceEqual(prefix, StringComparer.Ordinal))
            {
                continue;
            }

            if (Lookup(obj, fullPath, prefix.Count) is { } value)
            {
                found.Add(value);
            }
        }

        return found.Count == 0 ? null : HoconMerge.Of(found);
    }

    private static HoconValue? Lookup(HoconObject obj, IReadOnlyList<string> path, int from)
    {
        HoconValue current = obj;
        for (var i = from; i < path.Count; i++)
        {
            if (current is not HoconObject o || !o.TryGetValue(path[i], out var child))
            {
                return null;
            }

            current = child;
        }

        return current is HoconObject co ? co.DeepClone() : current;
    }

    /// <summary><c>a.b.c = v</c> is <c>a { b { c = v } }</c>.</summary>
    private static void SetPath(HoconObject target, IReadOnlyList<string> key, HoconValue value)
    {
        var v = value;
        for (var i = key.Count - 1; i >= 1; i--)
        {
            var wrapper = new HoconObject(value.Origin);
            wrapper.Set(key[i], v);
            v = wrapper;
        }

        MergeField(target, key[0], v);
    }

    /// <summary>
    /// Duplicate keys (HOCON specification, "Duplicate keys and object merging"): two objects merge,
    /// anything else later replaces the earlier value. When either side is unresolved the decision waits
    /// for resolution (<see cref="HoconMerge"/>), so <c>a = 1, a = ${?UNSET}</c> keeps 1.
    /// </summary>
    private static void MergeField(HoconObject target, string key, HoconValue value)
    {
        if (!target.TryGetValue(key, out var existing))
        {
            target.Set(key, value);
            return;
        }

        var existingUnresolved = IsUnresolved(existing);
        if (value is HoconObject incoming)
        {
            if (existing is HoconObject merged)
            {
                foreach (var (k, v) in incoming.Fields)
                {
                    MergeField(merged, k, v);
                }

                return;
            }

            if (existingUnresolved)
            {
                target.Set(key, HoconMerge.Of(existing, value));
                return;
            }
        }
        else if (IsUnresolved(value))
        {
            // Kept lazily: an undefined ${?x} must leave the earlier value in place, and an object must merge.
            target.Set(key, HoconMerge.Of(existing, value));
            return;
        }

        target.Set(key, value);
    }

    private static bool IsUnresolved(HoconValue value) => value is HoconSubstitution or HoconConcatenation or HoconMerge;

    private void SkipWhitespace()
    {
        while (Current.Kind == HoconTokenKind.Whitespace)
        {
            Next();
        }
    }

    private void SkipWhitespaceAndNewlines()
    {
        while (Current.Kind is HoconTokenKind.Whitespace or HoconTokenKind.Newline)
        {
            Next();
        }
    }

    private HoconOrigin OriginOf(HoconToken t) => new(_fileName, t.Line, t.Column);

    private HoconException Error(HoconToken at, string reason, IReadOnlyList<string>? path = null) =>
        new(reason, _fileName, at.Line, at.Column, path is null ? null : HoconPath.Render(path));

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert(_index >= 0 && _index < _tokens.Count, "the token index stays inside the token list");
        Debug.Assert(_tokens[^1].Kind == HoconTokenKind.End, "the token list ends with End");
        Debug.Assert(_open.Count >= 1, "the root object stays open while parsing");
    }
}
