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
/// training never applies interventions. Steps are in time order for both directions of a bidirectional layer. A trace
/// refuses an intervention that names a layer, direction, unit or first step the run does not have; <see cref="ToStep"/>
/// past the last step means "to the end".
/// </summary>
public sealed record Intervention(InterventionKind Kind, int Layer, int Unit, int FromStep, int ToStep, double Value, Gate Gate = Gate.Input,
    Direction Direction = Direction.Forward)
{
    /// <summary>Forces <paramref name="gate"/> of <paramref name="unit"/> to <paramref name="value"/> from
    /// <paramref name="fromStep"/> to <paramref name="toStep"/> (inclusive; default: to the end).</summary>
    public static Intervention ClampGate(Gate gate, int unit, double value, int fromStep = 0, int? toStep = null, int layer = 0,
        Direction direction = Direction.Forward)
        => new(InterventionKind.ClampGate, layer, unit, fromStep, toStep ?? int.MaxValue, value, gate, direction);

    /// <summary>Overwrites the cell state c of <paramref name="unit"/> at <paramref name="step"/> (before h is computed from it).</summary>
    public static Intervention SetCellState(int unit, int step, double value, int layer = 0, Direction direction = Direction.Forward)
        => new(InterventionKind.SetCellState, layer, unit, step, step, value, Direction: direction);

    /// <summary>Overwrites the hidden state h of <paramref name="unit"/> at <paramref name="step"/>.</summary>
    public static Intervention SetHiddenState(int unit, int step, double value, int layer = 0, Direction direction = Direction.Forward)
        => new(InterventionKind.SetHiddenState, layer, unit, step, step, value, Direction: direction);

    internal bool Applies(int layer, Direction direction, int step) => layer == Layer && direction == Direction && step >= FromStep && step <= ToStep;

    /// <summary>Checks this intervention against the model and a run of <paramref name="steps"/> steps.</summary>
    internal void Validate(ModelSpec spec, int steps)
    {
        ThrowHelper.RequireDefined(Kind, nameof(Kind));
        if ((uint)Layer >= (uint)spec.Layers)
            ThrowHelper.OutOfRange(nameof(Layer), Layer, $"Intervention layer {Layer} does not exist; the model has layers 0..{spec.Layers - 1}.");
        ThrowHelper.RequireDefined(Direction, nameof(Direction));
        if (Direction == Direction.Reverse && spec.Directions == 1)
            ThrowHelper.Argument(nameof(Direction), $"Intervention direction {Direction} does not exist; this model is unidirectional. Hint: Direction.Forward.");
        // h is Hout wide (the projection size of a projected LSTM); gates and c are H wide.
        int units = Kind == InterventionKind.SetHiddenState ? spec.OutputSize : spec.HiddenSize;
        if ((uint)Unit >= (uint)units)
            ThrowHelper.OutOfRange(nameof(Unit), Unit, $"Intervention unit {Unit} does not exist; layers have units 0..{units - 1}" +
                (units == spec.HiddenSize ? "." : $" in h (and 0..{spec.HiddenSize - 1} in the gates and c)."));
        if (FromStep < 0 || ToStep < FromStep)
            ThrowHelper.Argument(nameof(FromStep), $"Intervention steps [{FromStep}, {ToStep}] are not a valid range; expected 0 ≤ from ≤ to.");
        if (FromStep >= steps)
            ThrowHelper.OutOfRange(nameof(FromStep), FromStep,
                $"Intervention step {FromStep} does not exist: the sequence has steps 0..{steps - 1}, so the intervention would change nothing.");
        if (!double.IsFinite(Value)) ThrowHelper.Argument(nameof(Value), $"Intervention value must be finite, but was {Value}.");
        var cell = CellDefinition.Of(spec.Cell);
        if (Kind == InterventionKind.SetCellState && !cell.HasCellState)
            ThrowHelper.InvalidOperation($"Only LSTM cells have a cell state to edit; this model is a {spec.Cell}. Hint: use SetHiddenState.");
        if (Kind == InterventionKind.ClampGate && cell.Find(Gate) is null)
            ThrowHelper.InvalidOperation($"A {spec.Cell} cell has no {Gate} gate. " + (cell.Gates.Count == 0
                ? $"A vanilla {cell.Name} has no gates; use SetHiddenState."
                : $"{cell.Name} gates: {string.Join(", ", cell.Gates.Select(g => g.Gate))}."));
        if (Kind == InterventionKind.ClampGate)
        {
            // σ gates live in [0, 1]; the tanh candidates (LSTM g, GRU n) in [−1, 1]. A value outside is no gate value.
            double low = cell.Find(Gate)!.Activation == GateActivation.Tanh ? -1 : 0;
            if (!(Value >= low && Value <= 1))
                ThrowHelper.OutOfRange(nameof(Value), Value,
                    $"A {spec.Cell} {Gate} gate takes values in [{low}, 1], but the clamp value was {Value}. Hint: 0 closes the gate, 1 opens it fully.");
        }
    }
}
