namespace ActorLsm.Server.Configuration;

/// <summary>
/// A configuration file that cannot be read or parsed, or a setting that is missing, mistyped or out of
/// range. <see cref="Exception.Message"/> is the one line the server prints before it exits with code 2:
/// <c>FILE:LINE: KEY: reason</c> (the line is left out when it is not known), e.g.
/// <c>node1.conf:12: actorlsm.storage.wal-sync-mode: expected none, batch or interval, got "sometimes"</c>.
/// </summary>
public sealed class InvalidConfigException : Exception
{
    /// <summary>Creates the error for <paramref name="path"/> in <paramref name="fileName"/>.</summary>
    /// <param name="reason">What is wrong, without the location.</param>
    /// <param name="fileName">The file (or layer name such as <c>command line</c>) holding the value; null when unknown.</param>
    /// <param name="line">1-based line of the key in that file; 0 when unknown.</param>
    /// <param name="path">The full HOCON key, e.g. <c>actorlsm.server.port</c>; null for a whole-file error.</param>
    public InvalidConfigException(string reason, string? fileName, int line, string? path)
        : base(Format(reason, fileName, line, path))
    {
        Reason = reason;
        FileName = fileName;
        Line = line;
        Path = path;
    }

    /// <summary>Creates the error with the text only (for serializers and analyzers; prefer the located constructor).</summary>
    public InvalidConfigException(string message)
        : base(message)
    {
        Reason = message;
    }

    /// <summary>Creates the error with the text and its cause.</summary>
    public InvalidConfigException(string message, Exception innerException)
        : base(message, innerException)
    {
        Reason = message;
    }

    /// <summary>Creates an empty error (required by the exception pattern).</summary>
    public InvalidConfigException()
        : base("invalid configuration")
    {
        Reason = "invalid configuration";
    }

    /// <summary>What is wrong, without the location.</summary>
    public string Reason { get; }

    /// <summary>The file (or layer) holding the bad value; null when unknown.</summary>
    public string? FileName { get; }

    /// <summary>1-based line of the key in <see cref="FileName"/>; 0 when unknown.</summary>
    public int Line { get; }

    /// <summary>The full HOCON key; null for a whole-file error.</summary>
    public string? Path { get; }

    private static string Format(string reason, string? fileName, int line, string? path)
    {
        string location = fileName is null ? string.Empty : line > 0 ? $"{fileName}:{line}: " : $"{fileName}: ";
        string key = path is null ? string.Empty : path + ": ";
        return location + key + reason;
    }
}
