namespace LstmNotebooks.Interop;

/// <summary>
/// Writes a file atomically, for every file format the library saves: under a unique temporary name in the target's
/// folder, flushed, then renamed over the target. A reader (or a crash) never sees a half-written file, and two writers
/// of the same path at once both complete (the later rename wins) instead of writing into one shared temporary file.
/// </summary>
internal static class AtomicFile
{
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(write);
        if (string.IsNullOrWhiteSpace(path))
            ThrowHelper.Argument(nameof(path), "The file path is empty. Hint: give a file name such as \"model.lnb\".");
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full))
            ThrowHelper.Argument(nameof(path), $"'{full}' is a folder, not a file. Hint: name the file inside it, e.g. Path.Combine(folder, \"model.lnb\").");
        string folder = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"Cannot write '{full}': the folder '{folder}' does not exist. Hint: create it first (Directory.CreateDirectory).");
        string temp = Path.Combine(folder, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }
}
