using System.Globalization;

namespace ActorLsm.Storage.Manifest;

/// <summary>Kinds of file in a store directory.</summary>
internal enum FileKind
{
    Log,
    Table,
    Manifest,
    Current,
    Lock,
    Temp,
}

/// <summary>
/// Names of the files in a store directory, as in LevelDB (filename.cc): <c>000012.log</c> (WAL
/// segment), <c>000013.sst</c> (SSTable), <c>MANIFEST-000002</c>, <c>CURRENT</c>, <c>LOCK</c>,
/// <c>000014.dbtmp</c> (a file being written). All numbered files share one counter, the
/// manifest's next file number. The names are part of the directory format.
/// </summary>
internal static class FileNames
{
    public const string CurrentFileName = "CURRENT";
    public const string LockFileName = "LOCK";
    private const string ManifestPrefix = "MANIFEST-";

    public static string Log(string dir, ulong number) => Path.Combine(dir, $"{number:D6}.log");

    public static string Table(string dir, ulong number) => Path.Combine(dir, $"{number:D6}.sst");

    public static string Manifest(string dir, ulong number) => Path.Combine(dir, $"{ManifestPrefix}{number:D6}");

    public static string Temp(string dir, ulong number) => Path.Combine(dir, $"{number:D6}.dbtmp");

    public static string Current(string dir) => Path.Combine(dir, CurrentFileName);

    public static string Lock(string dir) => Path.Combine(dir, LockFileName);

    /// <summary>Parses a bare file name (no directory). Returns false for files the store does not own.</summary>
    public static bool TryParse(string fileName, out FileKind kind, out ulong number)
    {
        number = 0;
        kind = default;
        if (fileName == CurrentFileName)
        {
            kind = FileKind.Current;
            return true;
        }

        if (fileName == LockFileName)
        {
            kind = FileKind.Lock;
            return true;
        }

        if (fileName.StartsWith(ManifestPrefix, StringComparison.Ordinal))
        {
            kind = FileKind.Manifest;
            return ulong.TryParse(fileName.AsSpan(ManifestPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out number);
        }

        int dot = fileName.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || !ulong.TryParse(fileName.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out number))
        {
            return false;
        }

        switch (fileName[(dot + 1)..])
        {
            case "log":
                kind = FileKind.Log;
                return true;
            case "sst":
                kind = FileKind.Table;
                return true;
            case "dbtmp":
                kind = FileKind.Temp;
                return true;
            default:
                return false;
        }
    }
}
