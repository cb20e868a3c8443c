using ActorLsm.Storage.Wal;

namespace ActorLsm.Storage.Manifest;

/// <summary>
/// Replays a manifest file into the list of its <see cref="VersionEdit"/>s, with the log's tail
/// policy (Wal/FORMAT.md): an edit torn at the tail was never acknowledged as installed, so it is
/// dropped; damage before the tail throws <see cref="CorruptionException"/> naming file and offset.
/// </summary>
internal static class ManifestReader
{
    /// <summary>Reads every complete edit of the manifest at <paramref name="path"/>, in file order.</summary>
    /// <exception cref="CorruptionException">A bad record before the tail, a record of a type other than Full, or an edit that does not decode.</exception>
    /// <exception cref="FileNotFoundException">The manifest does not exist.</exception>
    public static List<VersionEdit> ReadAll(string path) => ReadAll(path, out _);

    /// <summary>As <see cref="ReadAll(string)"/>; <paramref name="tornTail"/> tells whether a torn last record was dropped.</summary>
    public static List<VersionEdit> ReadAll(string path, out bool tornTail)
    {
        var edits = new List<VersionEdit>();
        using var reader = new LogReader(path) { StrictTail = true };
        long recordOffset = reader.Offset;
        while (reader.TryReadRecord(out ReadOnlySpan<byte> payload, out byte type))
        {
            if (type != LogFormat.Full)
            {
                throw new CorruptionException(path, recordOffset, $"manifest record has type {type}, expected {LogFormat.Full}");
            }

            edits.Add(VersionEditCodec.Decode(payload, path, recordOffset + LogFormat.HeaderSize));
            recordOffset = reader.Offset;
        }

        tornTail = reader.TornTail;
        return edits;
    }
}
