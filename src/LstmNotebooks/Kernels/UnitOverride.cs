using System.Numerics;
using System.Runtime.CompilerServices;

namespace LstmNotebooks.Kernels;

/// <summary>
/// A hook into a cell's scalar specification for one unit: each gate value (by block) and the LSTM cell state pass
/// through it right after they are computed, so an intervention can replace them and everything downstream (c after a
/// clamped gate, o's peephole after an edited c, h) is recomputed by the same arithmetic the kernels use.
/// </summary>
internal interface IUnitOverride<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    T Gate(int block, T value);
    T Cell(T value);
}

/// <summary>Changes nothing: the specification as the kernels run it. The JIT removes the calls.</summary>
internal readonly struct NoOverride<T> : IUnitOverride<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public T Gate(int block, T value) => value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public T Cell(T value) => value;
}

/// <summary>Replaces the gates whose bit is set in <see cref="GateMask"/> (up to 4 blocks) and, if asked, the cell state.</summary>
internal struct UnitClamp<T> : IUnitOverride<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private T _g0, _g1, _g2, _g3, _cell;

    public int GateMask { get; private set; }
    public bool SetsCell { get; private set; }
    public readonly bool IsEmpty => GateMask == 0 && !SetsCell;

    public void ClampGate(int block, T value)
    {
        if ((uint)block > 3) throw new ArgumentOutOfRangeException(nameof(block), block, "A cell has at most 4 gate blocks.");
        GateMask |= 1 << block;
        switch (block)
        {
            case 0: _g0 = value; break;
            case 1: _g1 = value; break;
            case 2: _g2 = value; break;
            default: _g3 = value; break;
        }
    }

    public void SetCell(T value) => (SetsCell, _cell) = (true, value);

    public readonly T Gate(int block, T value) => (GateMask & (1 << block)) == 0 ? value : block switch
    {
        0 => _g0,
        1 => _g1,
        2 => _g2,
        _ => _g3,
    };

    public readonly T Cell(T value) => SetsCell ? _cell : value;
}
