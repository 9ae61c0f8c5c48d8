using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LstmNotebooks.Kernels;

/// <summary>
/// Elements whose first starts a 64-byte cache line, so every 512-bit vector at an offset that is a multiple of its
/// lanes lies in one line. A vector load that straddles two lines costs two, and a batch-1 recurrent step is bound by
/// its weight loads: with the packed weights off by 4 bytes, the H = 64 step took 983 ns instead of 662 (the
/// Benchmarks README, "Alignment"). A GC array's data is only 8-byte aligned, so the storage carries its offset.
/// <see cref="Pinned"/> storage (a kept workspace's) never moves; <see cref="Rent"/>ed storage (a one-shot call's) is
/// aligned when rented, and an array the GC moves later keeps its contents and loses only the speed.
/// </summary>
internal readonly struct AlignedArray<T> where T : unmanaged
{
    private const int Alignment = 64;
    private readonly T[]? _array;
    private readonly int _offset;
    private readonly bool _pooled;

    private AlignedArray(T[] array, int length, bool pooled)
    {
        _array = array;
        _offset = OffsetToLine(array);
        _pooled = pooled;
        Length = length;
    }

    /// <summary>Storage on the pinned-object heap, for buffers kept across calls.</summary>
    public static AlignedArray<T> Pinned(int length) => new(GC.AllocateUninitializedArray<T>(length + Slack, pinned: true), length, pooled: false);

    /// <summary>Storage from the shared array pool; give it back with <see cref="Return"/>.</summary>
    public static AlignedArray<T> Rent(int length) => new(ArrayPool<T>.Shared.Rent(length + Slack), length, pooled: true);

    /// <summary>Pinned or rented, as the owner keeps its buffers.</summary>
    public static AlignedArray<T> Allocate(int length, bool pinned) => pinned ? Pinned(length) : Rent(length);

    public int Length { get; }

    /// <summary>The longest storage an array can hold with the slack alignment takes.</summary>
    public static int MaxLength => Array.MaxLength - Slack;

    public Span<T> Span => _array is null ? default : _array.AsSpan(_offset, Length);

    public Memory<T> Memory => _array is null ? default : _array.AsMemory(_offset, Length);

    public void Return()
    {
        if (_pooled && _array is not null) ArrayPool<T>.Shared.Return(_array);
    }

    private static int Slack => Alignment / Unsafe.SizeOf<T>();

    /// <summary>n rounded up to whole cache lines of elements: offsets so rounded keep a region of the storage aligned.</summary>
    public static int RoundUp(int n) => checked(n + Slack - 1) / Slack * Slack;

    private static int OffsetToLine(T[] array)
    {
        nint address = Unsafe.ByteOffset(ref Unsafe.NullRef<T>(), ref MemoryMarshal.GetArrayDataReference(array));
        int past = (int)(address & (Alignment - 1));
        return past == 0 ? 0 : (Alignment - past) / Unsafe.SizeOf<T>();
    }
}
