using System.Globalization;

namespace ActorLsm.Hocon.Model;

/// <summary>
/// Where a value was written: the file name as given to the parser (or <c>&lt;string&gt;</c>),
/// and the 1-based line and column of its first character.
/// </summary>
public readonly record struct HoconOrigin(string FileName, int Line, int Column)
{
    /// <summary>Renders <c>file:line:col</c>.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{FileName}:{Line}:{Column}");
}
