namespace LstmNotebooks.Runner;

/// <summary>A command-line mistake: printed as one line, exit code 2.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>
/// Where each notebook's executed .ipynb and page go. Names come from the notebook's file name; two notebooks that
/// would share a name (A/x.ipynb and B/x.ipynb, x.ipynb and x.dib, a notebook called index) get "-2", "-3" … and a
/// note says so. An output folder that holds a notebook being run is refused: its executed copy would replace it.
/// </summary>
internal static class OutputPlan
{
    public static (IReadOnlyList<string> Names, IReadOnlyList<string> Notes) Plan(IReadOnlyList<string> notebooks, string? outDir)
    {
        if (outDir is not null)
        {
            if (File.Exists(outDir))
                throw new UsageException($"--out '{outDir}' is an existing file; expected a folder for the executed notebooks and pages.");
            foreach (var notebook in notebooks)
                if (string.Equals(Path.GetDirectoryName(Path.GetFullPath(notebook)), outDir, StringComparison.OrdinalIgnoreCase))
                    throw new UsageException(
                        $"--out '{outDir}' is the folder of {Path.GetFileName(notebook)}: the executed copies would overwrite the source notebooks. Hint: pick another folder, e.g. --out artifacts/notebooks.");
        }

        // index.html belongs to the run; every notebook gets a .ipynb and a .html of its own.
        var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "index" };
        var stems = notebooks.Select(n => Path.GetFileNameWithoutExtension(n)).ToArray();
        var names = new string[notebooks.Count];
        var notes = new List<string>();
        // First every notebook whose name is unique keeps it, so a later "-2" never takes a name a notebook has.
        var counts = stems.GroupBy(s => s, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.Count(), StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < notebooks.Count; i++)
            if (counts[stems[i]] == 1 && used.Add(stems[i]))
                names[i] = stems[i];
        for (var i = 0; i < notebooks.Count; i++)
        {
            if (names[i] is not null) continue;
            var name = stems[i];
            for (var k = 2; !used.Add(name); k++) name = $"{stems[i]}-{k}";
            names[i] = name;
            if (!string.Equals(name, stems[i], StringComparison.OrdinalIgnoreCase) || counts[stems[i]] > 1)
                if (!string.Equals(name, stems[i], StringComparison.Ordinal))
                    notes.Add($"note: {notebooks[i]} is written as {name}.ipynb and {name}.html ('{stems[i]}' is taken by another notebook or by index.html).");
        }

        if (outDir is not null)
            foreach (var name in names)
                foreach (var file in new[] { name + ".ipynb", name + ".html" })
                    if (notebooks.Any(n => string.Equals(Path.GetFullPath(n), Path.Combine(outDir, file), StringComparison.OrdinalIgnoreCase)))
                        throw new UsageException($"--out '{outDir}': {file} would overwrite a source notebook. Hint: pick another folder.");
        return (names, notes);
    }
}
