using System.Globalization;
using System.Text;
using ActorLsm.Storage.FileSystem;

namespace ActorLsm.Storage.Manifest;

/// <summary>
/// The CURRENT file names the live manifest: its whole content is <c>MANIFEST-000123\n</c>
/// (the name <see cref="FileNames.Manifest"/> builds, then one line feed), as in LevelDB. It is
/// only ever replaced atomically (write a temp file, fsync, rename over CURRENT, fsync the
/// directory), so a reader sees the old name or the new one, never a mix. See Manifest/FORMAT.md.
/// </summary>
internal static class CurrentFile
{
    /// <summary>CURRENT is tiny; anything longer than this is malformed and not read further.</summary>
    private const int MaxLength = 256;

    /// <summary>Reads the number of the live manifest from <c>dir/CURRENT</c>.</summary>
    /// <returns>The manifest number, or null when CURRENT (or <paramref name="dir"/>) does not exist: a store never opened.</returns>
    /// <exception cref="CorruptionException">CURRENT does not hold exactly a manifest file name and a line feed.</exception>
    public static ulong? ReadManifestNumber(string dir)
    {
        string path = FileNames.Current(dir);
        byte[] content;
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 0);
            content = new byte[MaxLength + 1];
            int length = stream.ReadAtLeast(content, content.Length, throwOnEndOfStream: false);
            Array.Resize(ref content, length);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        if (content.Length > MaxLength)
        {
            throw new CorruptionException(path, 0, $"CURRENT is longer than {MaxLength} bytes");
        }

        if (content.Length == 0 || content[^1] != (byte)'\n')
        {
            throw new CorruptionException(path, content.Length, "CURRENT does not end with a line feed");
        }

        string name = Encoding.ASCII.GetString(content, 0, content.Length - 1);
        if (!FileNames.TryParse(name, out FileKind kind, out ulong number) || kind != FileKind.Manifest
            || name != System.IO.Path.GetFileName(FileNames.Manifest(dir, number)))
        {
            throw new CorruptionException(path, 0, $"CURRENT holds '{Escape(name)}', not a manifest file name");
        }

        return number;
    }

    /// <summary>
    /// Points CURRENT at manifest <paramref name="manifestNumber"/> atomically: writes the new
    /// content to the temp file <paramref name="tempNumber"/>, fsyncs it, renames it over CURRENT
    /// and fsyncs the directory (which also makes the manifest's own directory entry durable).
    /// When this returns, a crash at any point leaves CURRENT naming the new manifest; if it throws,
    /// CURRENT names the old or the new one, and the temp file is removed when possible.
    /// </summary>
    /// <param name="dir">The store directory.</param>
    /// <param name="manifestNumber">Number of a manifest that exists and holds at least one durable edit.</param>
    /// <param name="tempNumber">A fresh file number for the temp file (from the manifest's counter).</param>
    /// <param name="fileSystem">Where the files are written; null for <see cref="DefaultFileSystem"/>.</param>
    /// <exception cref="FileNotFoundException">The manifest does not exist (installing it would leave the store unopenable).</exception>
    public static void Install(string dir, ulong manifestNumber, ulong tempNumber, IFileSystem? fileSystem = null)
    {
        IFileSystem fs = fileSystem ?? DefaultFileSystem.Instance;
        string manifest = FileNames.Manifest(dir, manifestNumber);
        if (!File.Exists(manifest))
        {
            throw new FileNotFoundException($"cannot point CURRENT at missing manifest {manifest}", manifest);
        }

        byte[] content = Encoding.ASCII.GetBytes(System.IO.Path.GetFileName(manifest) + "\n");
        string temp = FileNames.Temp(dir, tempNumber);
        try
        {
            using (WritableFile file = fs.OpenWritable(temp, truncate: true, bufferSize: 0))
            {
                file.Write(content);
                file.Sync();
            }

            fs.Rename(temp, FileNames.Current(dir));
        }
        catch
        {
            TryDelete(fs, temp);
            throw;
        }

        fs.SyncDirectory(dir);
    }

    private static void TryDelete(IFileSystem fs, string path)
    {
        try
        {
            fs.Delete(path);
        }
        catch (IOException)
        {
            // Best effort: a leftover temp file is removed by the engine's obsolete-file sweep.
        }
        catch (UnauthorizedAccessException)
        {
            // Same as above.
        }
    }

    private static string Escape(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (char c in text)
        {
            if (c is >= ' ' and <= '~')
            {
                builder.Append(c);
            }
            else
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:X2}");
            }
        }

        return builder.ToString();
    }
}
