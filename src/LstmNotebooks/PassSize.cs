using System.Runtime.CompilerServices;

namespace LstmNotebooks;

/// <summary>
/// What one pass over a batch allocates, counted in 64 bits before anything is allocated: a batch of B sequences of T
/// steps keeps, per layer, the gate arguments and values (T·B·GH each) and the states (T·B·H), and a backward pass as
/// much again. A size that no .NET array can hold, or that does not fit in the memory this process may use, is refused
/// with the size that was asked for, instead of wrapping around in 32-bit arithmetic or running out of memory part-way.
/// The counts follow the layer caches and the backward scratch (Model/RecurrentLayer.cs, RecurrentStack.cs); they are a
/// lower bound, so a pass that is refused could never have run.
/// </summary>
internal static class PassSize
{
    /// <param name="spec">The model's architecture.</param>
    /// <param name="elementSize">Bytes per value (4 float, 8 double).</param>
    /// <param name="batch">Rows of the pass (sequences, or one shard's share of a training batch).</param>
    /// <param name="steps">Steps of the packed input (the longest sequence).</param>
    /// <param name="window">Steps one forward/backward pass covers (the truncation window in training, else <paramref name="steps"/>).</param>
    /// <param name="backward">Whether the pass also runs backward.</param>
    /// <param name="trace">Whether every channel is copied out afterwards (a trace).</param>
    /// <param name="paramName">The argument the size came from.</param>
    public static void Check(ModelSpec spec, int elementSize, long batch, long steps, long window, bool backward, bool trace, string paramName)
    {
        long h = spec.HiddenSize, gh = spec.GateCount * h, i = spec.InputSize, o = Math.Max(spec.Head.Outputs, 1);
        bool lstm = spec.Cell == CellKind.Lstm, gru = spec.Cell == CellKind.Gru;
        string shape = ThrowHelper.Invariant($"{batch:N0} sequence{(batch == 1 ? "" : "s")} × {steps:N0} steps");
        string hint = backward
            ? "train on shorter sequences or with truncated BPTT (WithTruncation), a smaller batch (WithBatchSize), or fewer hidden units."
            : "run shorter sequences or fewer at a time, or use fewer hidden units.";

        // The largest single arrays: the packed input (T, B, I), the gate arguments (T, B, GH), the outputs (T, B, H or O).
        double widest = (double)Math.Max(Math.Max(steps * i, window * gh), steps * Math.Max(h, o)) * batch;
        ThrowHelper.ArrayLength(widest, paramName, $"A pass over {shape} of this {spec.Cell} (hidden {h:N0})", hint);

        // Per layer and step row: Pre and Hs always, Gates (LSTM, GRU), HPre (GRU), C (LSTM); backward adds dA (twice
        // for a GRU), the previous hidden states and the layer's input gradient. A trace copies every channel once more.
        long forward = gh + h + (lstm || gru ? gh : 0) + (gru ? gh : 0) + (lstm ? h : 0);
        long perRow = forward * (trace ? 2 : 1) + (backward ? gh * (gru ? 2 : 1) + h + Math.Max(i, h) : 0);
        double bytes = (double)elementSize * batch * (steps * (i + h) + spec.Layers * window * perRow);
        ThrowHelper.RequireMemory(bytes, paramName,
            ThrowHelper.Invariant($"A {(backward ? "forward and backward" : "forward")} pass over {shape} through {spec.Layers} layer{(spec.Layers == 1 ? "" : "s")} of {h:N0} units"),
            hint);
    }

    public static int ElementSize<T>() where T : unmanaged => Unsafe.SizeOf<T>();
}
