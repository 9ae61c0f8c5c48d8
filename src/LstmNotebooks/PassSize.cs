using System.Runtime.CompilerServices;

namespace LstmNotebooks;

/// <summary>
/// What one pass over a batch allocates, counted in 64 bits before anything is allocated. A pass runs in one scratch
/// array per thread (Model/Shard.cs lays it out): inference keeps each unit's h per step (two layers at a time) and one
/// chunk of gate arguments; a backward pass or a trace keeps every step's gates and states of every layer and
/// direction, and backward adds its gradients of the same shapes. A size that no .NET array can hold, or that does not
/// fit in the memory this process may use, is refused with the size that was asked for, instead of wrapping around in
/// 32-bit arithmetic or running out of memory part-way. The counts are a lower bound of Shard's plan, so a pass that is
/// refused could never have run.
/// </summary>
internal static class PassSize
{
    /// <param name="spec">The model's architecture.</param>
    /// <param name="elementSize">Bytes per value (4 float, 8 double).</param>
    /// <param name="batch">Rows of one thread's share of the pass (all its sequences on one thread).</param>
    /// <param name="steps">Steps of the packed input (the longest sequence).</param>
    /// <param name="window">Steps one forward/backward pass covers (the truncation window in training, else <paramref name="steps"/>).</param>
    /// <param name="backward">Whether the pass also runs backward.</param>
    /// <param name="trace">Whether every channel is kept for a trace.</param>
    /// <param name="paramName">The argument the size came from.</param>
    /// <param name="parts">Threads sharing the pass, each with a scratch array of its own.</param>
    public static void Check(ModelSpec spec, int elementSize, long batch, long steps, long window, bool backward, bool trace, string paramName,
        int parts = 1)
    {
        long h = spec.HiddenSize, gh = spec.GateCount * h, i = spec.InputSize, hout = spec.OutputSize, d = spec.Directions, w = d * hout;
        long layers = spec.Layers, maxIn = Math.Max(i, w);
        bool lstm = spec.Cell == CellKind.Lstm, gru = spec.Cell == CellKind.Gru, projected = spec.ProjectionSize > 0;

        // Per row and step of the window: the input, then per layer (and direction) what the plan keeps.
        long perRow = i;
        if (backward || trace)
        {
            long unit = hout + (lstm || gru ? gh : 0) + (gru ? gh : 0) + (lstm ? h : 0) + (projected ? h : 0) + (trace ? gh : 0);
            perRow += layers * d * unit + (trace ? 0 : gh) + (d == 2 ? layers * (maxIn + w) : 0);
            if (backward) perRow += gh * (gru ? 2 : 1) + hout + (projected ? hout : 0) + maxIn * (layers > 1 ? 2 : 1) + w + (d == 2 ? maxIn + hout : 0);
        }
        else perRow += Math.Min(layers, 2) * (d * hout + (d == 2 ? maxIn + w : 0));
        double elements = (double)batch * window * perRow, bytes = elements * elementSize * parts;
        // The words are made only when there is a question to ask: a call of a reused workspace allocates nothing.
        if (elements <= Array.MaxLength && bytes < ThrowHelper.MemoryWorthChecking) return;
        string shape = ThrowHelper.Invariant($"{batch:N0} sequence{(batch == 1 ? "" : "s")} × {steps:N0} steps");
        string hint = backward
            ? "train on shorter sequences or with truncated BPTT (WithTruncation), a smaller batch (WithBatchSize), or fewer hidden units."
            : "run shorter sequences or fewer at a time, or use fewer hidden units.";
        // The whole plan is one array (the thread's scratch), the largest a pass allocates.
        ThrowHelper.ArrayLength(elements, paramName, ThrowHelper.Invariant($"A pass over {shape} of this {spec.Cell} (hidden {h:N0})"), hint);
        ThrowHelper.RequireMemory(bytes, paramName,
            ThrowHelper.Invariant($"A {(backward ? "forward and backward" : "forward")} pass over {shape} through {spec.Layers} layer{(spec.Layers == 1 ? "" : "s")} of {h:N0} units"),
            hint);
    }

    public static int ElementSize<T>() where T : unmanaged => Unsafe.SizeOf<T>();
}
