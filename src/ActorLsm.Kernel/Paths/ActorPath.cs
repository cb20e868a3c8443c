using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace ActorLsm.Kernel;

/// <summary>
/// The position of an actor in its system's tree, written like a file path:
/// <c>/user/shards/shard-07/flusher</c>. The root is <c>/</c>; user actors live under <c>/user</c>,
/// kernel-internal ones under <c>/system</c>, short-lived reply refs under <c>/temp</c>.
/// Immutable; equal when the element sequences are equal (ordinal).
/// Idea and naming from Akka.NET's <c>ActorPath</c>, without the address part (one process only).
/// </summary>
public sealed class ActorPath : IEquatable<ActorPath>
{
    private readonly string _text;

    private ActorPath(ActorPath? parent, string name)
    {
        Parent = parent;
        Name = name;
        Depth = parent is null ? 0 : parent.Depth + 1;
        _text = parent is null ? "/" : parent.Depth == 0 ? "/" + name : parent._text + "/" + name;
        AssertInvariants();
    }

    /// <summary>The root path <c>/</c> (depth 0, empty name).</summary>
    public static ActorPath Root { get; } = new(null, string.Empty);

    /// <summary>The last element, e.g. <c>flusher</c>; empty for <see cref="Root"/>.</summary>
    public string Name { get; }

    /// <summary>The enclosing path, or <see langword="null"/> for <see cref="Root"/>.</summary>
    public ActorPath? Parent { get; }

    /// <summary>Number of elements below the root: 0 for <c>/</c>, 1 for <c>/user</c>.</summary>
    public int Depth { get; }

    /// <summary>The elements from the root down, e.g. <c>["user", "shards", "shard-07"]</c>.</summary>
    public IReadOnlyList<string> Elements
    {
        get
        {
            var elements = new string[Depth];
            for (var p = this; p.Parent is not null; p = p.Parent)
            {
                elements[p.Depth - 1] = p.Name;
            }

            return elements;
        }
    }

    /// <summary>
    /// The path one level below this one. Throws <see cref="InvalidActorNameException"/> when
    /// <paramref name="name"/> is not a valid element (see <see cref="IsValidElement"/>).
    /// </summary>
    public ActorPath Child(string name)
    {
        if (!IsValidElement(name))
        {
            throw new InvalidActorNameException($"'{name}' is not a valid actor path element.");
        }

        return new ActorPath(this, name);
    }

    /// <summary>Same as <see cref="Child(string)"/>: <c>ActorPath.Root / "user" / "shards"</c>.</summary>
    public static ActorPath operator /(ActorPath path, string name)
    {
        ArgumentNullException.ThrowIfNull(path);
        return path.Child(name);
    }

    /// <summary>
    /// True when <paramref name="name"/> can be one path element: 1..256 characters, letters, digits
    /// or any of <c>-_.:+=@!~*'$,;%&amp;()</c>. A leading <c>$</c> is reserved for generated names.
    /// </summary>
    public static bool IsValidElement([NotNullWhen(true)] string? name)
    {
        if (string.IsNullOrEmpty(name) || name.Length > 256)
        {
            return false;
        }

        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && "-_.:+=@!~*'$,;%&()".IndexOf(c, StringComparison.Ordinal) < 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Parses an absolute path such as <c>/user/shards/shard-07</c> (a trailing <c>/</c> is ignored).
    /// Throws <see cref="FormatException"/> when the text is not absolute or an element is invalid.
    /// </summary>
    public static ActorPath Parse(string text)
    {
        return TryParse(text, out var path)
            ? path
            : throw new FormatException($"'{text}' is not an absolute actor path like /user/a/b.");
    }

    /// <summary>Non-throwing <see cref="Parse"/>.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out ActorPath? path)
    {
        path = null;
        if (string.IsNullOrEmpty(text) || text[0] != '/')
        {
            return false;
        }

        var current = Root;
        foreach (var element in text.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!IsValidElement(element))
            {
                return false;
            }

            current = new ActorPath(current, element);
        }

        path = current;
        return true;
    }

    /// <summary>True when <paramref name="other"/> equals this path or lies below it.</summary>
    public bool IsAncestorOrSelfOf(ActorPath other)
    {
        ArgumentNullException.ThrowIfNull(other);
        for (ActorPath? p = other; p is not null; p = p.Parent)
        {
            if (p.Depth == Depth)
            {
                return p.Equals(this);
            }
        }

        return false;
    }

    /// <inheritdoc/>
    public bool Equals(ActorPath? other) => other is not null && string.Equals(_text, other._text, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is ActorPath other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(_text);

    /// <summary>The path text, e.g. <c>/user/shards/shard-07/flusher</c>.</summary>
    public override string ToString() => _text;

    /// <summary>Ordinal equality of two paths (either may be null).</summary>
    public static bool operator ==(ActorPath? left, ActorPath? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Ordinal inequality of two paths (either may be null).</summary>
    public static bool operator !=(ActorPath? left, ActorPath? right) => !(left == right);

    [Conditional("DEBUG")]
    private void AssertInvariants()
    {
        Debug.Assert((Parent is null) == (Depth == 0), "only the root has no parent");
        Debug.Assert(_text.StartsWith('/'), "paths are absolute");
    }

    internal static string GeneratedName(long n)
    {
        // Base-36 "$a", "$b", ... like Akka's anonymous names; '$' marks it as generated.
        const string Digits = "abcdefghijklmnopqrstuvwxyz0123456789";
        var sb = new StringBuilder("$");
        var chars = new Stack<char>();
        do
        {
            chars.Push(Digits[(int)(n % 36)]);
            n /= 36;
        }
        while (n > 0);

        while (chars.Count > 0)
        {
            sb.Append(chars.Pop());
        }

        return sb.ToString();
    }
}
