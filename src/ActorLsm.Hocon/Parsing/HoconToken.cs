namespace ActorLsm.Hocon.Parsing;

/// <summary>The kinds of token the tokenizer produces; comments are dropped, their newline is kept.</summary>
internal enum HoconTokenKind
{
    Whitespace,
    Newline,
    LeftBrace,
    RightBrace,
    LeftBracket,
    RightBracket,
    Comma,
    Equals,
    Colon,
    PlusEquals,

    /// <summary>Unquoted text: keys, numbers, booleans, null, unquoted strings, <c>include</c>.</summary>
    Unquoted,

    /// <summary>A quoted or triple-quoted string; <see cref="HoconToken.Text"/> holds the decoded content.</summary>
    Quoted,

    /// <summary><c>${path}</c> or <c>${?path}</c>; the path is parsed into segments.</summary>
    Substitution,
    End,
}

/// <summary>One token with its 1-based position.</summary>
internal readonly record struct HoconToken(
    HoconTokenKind Kind,
    string Text,
    int Line,
    int Column,
    IReadOnlyList<string>? SubstitutionPath = null,
    bool IsOptional = false)
{
    /// <summary>How the token is named in error messages.</summary>
    public string Describe() => Kind switch
    {
        HoconTokenKind.Whitespace => "whitespace",
        HoconTokenKind.Newline => "end of line",
        HoconTokenKind.End => "end of file",
        HoconTokenKind.Quoted => "string \"" + Text + "\"",
        HoconTokenKind.Unquoted => "'" + Text + "'",
        HoconTokenKind.Substitution => "substitution ${" + Text + "}",
        _ => "'" + Text + "'",
    };
}
