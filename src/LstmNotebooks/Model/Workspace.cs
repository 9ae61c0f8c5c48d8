using System.Numerics;

namespace LstmNotebooks;

/// <summary>
/// Scratch arrays reused from batch to batch by one training run (or one loss evaluation): same-shaped batches get the
/// same memory back, zeroed, instead of allocating and page-faulting tens of megabytes per batch. Each role keeps its
/// two most recent sizes (a full batch and the epoch's last, shorter one); other sizes are allocated and replace the
/// older entry, so variable-length data cannot make it grow. Owned by one caller; never shared between threads.
/// </summary>
internal sealed class Workspace<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly Dictionary<string, (T[]? Recent, T[]? Older)> _arrays = [];

    /// <summary>Checked at every time step of the passes that use this workspace, so a long batch stops soon after
    /// the caller cancels rather than at its end.</summary>
    public CancellationToken Cancellation { get; set; }

    /// <summary>An array of exactly <paramref name="length"/> elements for <paramref name="role"/>: zeroed, unless the
    /// caller overwrites every element anyway (<paramref name="zeroed"/> false; then it may hold an earlier batch's values).</summary>
    public T[] Get(string role, int length, bool zeroed = true)
    {
        _arrays.TryGetValue(role, out var entry);
        T[] array;
        if (entry.Recent?.Length == length) array = entry.Recent;
        else if (entry.Older?.Length == length) { array = entry.Older; entry = (array, entry.Recent); }
        else { _arrays[role] = (new T[length], entry.Recent); return _arrays[role].Recent!; }
        if (zeroed) Array.Clear(array);
        _arrays[role] = entry;
        return array;
    }

    /// <summary>From the workspace when there is one, else a fresh array (inference and one-off calls).</summary>
    public static T[] Rent(Workspace<T>? workspace, string role, int length, bool zeroed = true)
        => workspace?.Get(role, length, zeroed) ?? new T[length];
}
