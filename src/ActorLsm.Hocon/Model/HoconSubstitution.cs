namespace ActorLsm.Hocon.Model;

/// <summary>
/// An unresolved <c>${path}</c> or optional <c>${?path}</c> reference (HOCON specification, "Substitutions").
/// It is looked up against the whole document after parsing, then in environment variables;
/// an optional one that finds nothing makes its field undefined. Only present before resolution.
/// </summary>
public sealed class HoconSubstitution : HoconValue
{
    internal HoconSubstitution(IReadOnlyList<string> path, IReadOnlyList<string>? fallbackPath, bool isOptional, HoconOrigin origin)
        : base(origin)
    {
        Path = path;
        FallbackPath = fallbackPath;
        IsOptional = isOptional;
    }

    /// <summary>The path segments looked up, absolute from the document root.</summary>
    public IReadOnlyList<string> Path { get; }

    /// <summary>
    /// For substitutions written in an included file: the path as written, tried after <see cref="Path"/>
    /// (which is prefixed with the include location) and used as the environment variable name.
    /// </summary>
    public IReadOnlyList<string>? FallbackPath { get; }

    /// <summary>True for <c>${?path}</c>.</summary>
    public bool IsOptional { get; }

    /// <summary>The path as written in the file (dots between segments, quoting where needed).</summary>
    public string PathText => HoconPath.Render(FallbackPath ?? Path);

    /// <summary>True when the substitution refers to the field it defines (<c>a = ${a} [1]</c>).</summary>
    internal bool IsSelfReference { get; private set; }

    /// <summary>For a self-reference: the value the field had before this definition; null when none.</summary>
    internal HoconValue? Previous { get; private set; }

    /// <inheritdoc />
    public override string Describe() => "${" + (IsOptional ? "?" : string.Empty) + PathText + "}";

    internal void MarkSelfReference(HoconValue? previous)
    {
        IsSelfReference = true;
        Previous = previous;
    }
}
