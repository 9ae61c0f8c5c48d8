namespace LstmNotebooks;

/// <summary>The gates by their names in the concept: LSTM i, f, g (input modulation), o; GRU r, z, n.</summary>
public enum Gate
{
    /// <summary>LSTM input gate i ("save vector").</summary>
    Input,
    /// <summary>LSTM forget gate f ("remember vector").</summary>
    Forget,
    /// <summary>LSTM input modulation gate g (the tanh candidate).</summary>
    InputModulation,
    /// <summary>LSTM output gate o ("focus vector").</summary>
    Output,
    /// <summary>GRU reset gate r.</summary>
    Reset,
    /// <summary>GRU update gate z.</summary>
    Update,
    /// <summary>GRU new gate n (the candidate).</summary>
    New,
}

public enum InterventionKind { ClampGate, SetCellState, SetHiddenState }

/// <summary>
/// A change made inside a run, to see its effect downstream: a gate of one unit forced to a value over a range of
/// steps, or the cell (or hidden) state of one unit overwritten at a step. Used by <see cref="Model{T}.Trace"/>;
/// training never applies interventions. A trace refuses an intervention that names a layer, unit or first step the
/// run does not have; <see cref="ToStep"/> past the last step means "to the end".
/// </summary>
public sealed record Intervention(InterventionKind Kind, int Layer, int Unit, int FromStep, int ToStep, double Value, Gate Gate = Gate.Input)
{
    /// <summary>Forces <paramref name="gate"/> of <paramref name="unit"/> to <paramref name="value"/> from
    /// <paramref name="fromStep"/> to <paramref name="toStep"/> (inclusive; default: to the end).</summary>
    public static Intervention ClampGate(Gate gate, int unit, double value, int fromStep = 0, int? toStep = null, int layer = 0)
        => new(InterventionKind.ClampGate, layer, unit, fromStep, toStep ?? int.MaxValue, value, gate);

    /// <summary>Overwrites the cell state c of <paramref name="unit"/> at <paramref name="step"/> (before h is computed from it).</summary>
    public static Intervention SetCellState(int unit, int step, double value, int layer = 0)
        => new(InterventionKind.SetCellState, layer, unit, step, step, value);

    /// <summary>Overwrites the hidden state h of <paramref name="unit"/> at <paramref name="step"/>.</summary>
    public static Intervention SetHiddenState(int unit, int step, double value, int layer = 0)
        => new(InterventionKind.SetHiddenState, layer, unit, step, step, value);

    internal bool Applies(int layer, int step) => layer == Layer && step >= FromStep && step <= ToStep;

    /// <summary>Checks this intervention against the model and a run of <paramref name="steps"/> steps.</summary>
    internal void Validate(ModelSpec spec, int steps)
    {
        ThrowHelper.RequireDefined(Kind, nameof(Kind));
        if ((uint)Layer >= (uint)spec.Layers)
            ThrowHelper.OutOfRange(nameof(Layer), Layer, $"Intervention layer {Layer} does not exist; the model has layers 0..{spec.Layers - 1}.");
        if ((uint)Unit >= (uint)spec.HiddenSize)
            ThrowHelper.OutOfRange(nameof(Unit), Unit, $"Intervention unit {Unit} does not exist; layers have units 0..{spec.HiddenSize - 1}.");
        if (FromStep < 0 || ToStep < FromStep)
            ThrowHelper.Argument(nameof(FromStep), $"Intervention steps [{FromStep}, {ToStep}] are not a valid range; expected 0 ≤ from ≤ to.");
        if (FromStep >= steps)
            ThrowHelper.OutOfRange(nameof(FromStep), FromStep,
                $"Intervention step {FromStep} does not exist: the sequence has steps 0..{steps - 1}, so the intervention would change nothing.");
        if (!double.IsFinite(Value)) ThrowHelper.Argument(nameof(Value), $"Intervention value must be finite, but was {Value}.");
        if (Kind == InterventionKind.SetCellState && spec.Cell != CellKind.Lstm)
            ThrowHelper.InvalidOperation($"Only LSTM cells have a cell state to edit; this model is a {spec.Cell}. Hint: use SetHiddenState.");
        if (Kind == InterventionKind.ClampGate && GateBlock(spec.Cell, Gate) < 0)
            ThrowHelper.InvalidOperation($"A {spec.Cell} cell has no {Gate} gate. " + spec.Cell switch
            {
                CellKind.Lstm => "LSTM gates: Input, Forget, InputModulation, Output.",
                CellKind.Gru => "GRU gates: Reset, Update, New.",
                _ => "A vanilla RNN has no gates; use SetHiddenState.",
            });
        if (Kind == InterventionKind.ClampGate)
        {
            // σ gates live in [0, 1]; the tanh candidate (LSTM g, GRU n) in [−1, 1]. A value outside is no gate value.
            double low = GateBlock(spec.Cell, Gate) == 2 ? -1 : 0;
            if (!(Value >= low && Value <= 1))
                ThrowHelper.OutOfRange(nameof(Value), Value,
                    $"A {spec.Cell} {Gate} gate takes values in [{low}, 1], but the clamp value was {Value}. Hint: 0 closes the gate, 1 opens it fully.");
        }
    }

    /// <summary>Row block of a gate in PyTorch's packing, or -1 if the cell has no such gate.</summary>
    internal static int GateBlock(CellKind cell, Gate gate) => (cell, gate) switch
    {
        (CellKind.Lstm, Gate.Input) => 0,
        (CellKind.Lstm, Gate.Forget) => 1,
        (CellKind.Lstm, Gate.InputModulation) => 2,
        (CellKind.Lstm, Gate.Output) => 3,
        (CellKind.Gru, Gate.Reset) => 0,
        (CellKind.Gru, Gate.Update) => 1,
        (CellKind.Gru, Gate.New) => 2,
        _ => -1,
    };
}
