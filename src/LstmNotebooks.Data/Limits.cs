namespace LstmNotebooks.Data;

/// <summary>Sizes checked before anything is allocated: what one .NET array and this process's memory can hold.</summary>
internal static class Limits
{
    /// <summary>Why arrays of up to <paramref name="longest"/> values, <paramref name="total"/> values in all, of
    /// <paramref name="elementSize"/> bytes each cannot be allocated, or null when they can.</summary>
    public static string? Exceeded(string what, double longest, double total, int elementSize, string hint)
    {
        if (longest > Array.MaxLength)
            return $"{what} needs {longest:N0} values in one array, more than the {Array.MaxLength:N0} a .NET array can hold. Hint: {hint}";
        double bytes = total * elementSize;
        if (bytes < 1 << 28) return null; // 256 MB: not worth asking the GC
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        return available > 0 && bytes > available
            ? $"{what} needs about {bytes / (1L << 30):0.##} GB of memory, but this process can use at most {available / (double)(1L << 30):0.##} GB. Hint: {hint}"
            : null;
    }
}
