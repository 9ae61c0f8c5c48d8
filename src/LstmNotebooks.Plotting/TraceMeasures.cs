using System.Numerics;

namespace LstmNotebooks.Plotting;

/// <summary>How much one unit writes into its cell state at the informative step(s) and, on average, at the distractors.</summary>
/// <param name="Unit">The unit index in its layer.</param>
/// <param name="Informative">Mean |i·g| over the informative steps.</param>
/// <param name="Distractors">Mean |i·g| over the distractor steps (NaN when there are none).</param>
public sealed record WriteSummary(int Unit, double Informative, double Distractors)
{
    /// <summary>Informative over distractor write size; large for a unit that stores the informative input only.</summary>
    public double Selectivity => Informative / Distractors;
}

/// <summary>How often a gate sits near one of its ends (Karpathy, Johnson &amp; Fei-Fei 2015, "Visualizing and
/// Understanding Recurrent Networks"): the fraction of (step, unit) values below <c>Low</c> (closed: the gate blocks)
/// and above <c>High</c> (open: the gate passes everything).</summary>
public sealed record GateSaturation(int Layer, TraceChannel Gate, double Closed, double Open, long Values, Direction Direction = Direction.Forward)
{
    /// <summary>The fraction in between, where the gate actually mixes.</summary>
    public double Unsaturated => Math.Max(0, 1 - Closed - Open);
}

/// <summary>How closely one unit's state at a step follows what the model must remember, across many sequences.</summary>
/// <param name="Unit">The unit index in its layer.</param>
/// <param name="Correlation">Pearson r between the unit's value and the remembered quantity over the sequences
/// (NaN when the unit's value is the same in every sequence).</param>
public sealed record CarrierUnit(int Unit, double Correlation)
{
    /// <summary>|r|: 1 for a unit whose state is a straight-line function of the quantity, 0 for one that ignores it.</summary>
    public double Strength => double.IsNaN(Correlation) ? 0 : Math.Abs(Correlation);
}

/// <summary>How |c_t| of a layer is summarised per step.</summary>
public enum CellMagnitude
{
    /// <summary>The largest |c_t| over the layer's units: the one that grows first.</summary>
    MaxOverUnits,
    /// <summary>The mean |c_t| over the layer's units.</summary>
    MeanOverUnits,
}

/// <summary>
/// The numbers the diagnostic charts draw, computed from a <see cref="Trace{T}"/>, so a notebook can state (and assert)
/// what its chart shows without computing it a second way.
/// </summary>
public static class TraceMeasures
{
    /// <summary>
    /// Per unit, mean |i·g| (what the input gate writes into the cell state) at <paramref name="informativeSteps"/> and
    /// at the distractor steps (every other step unless <paramref name="distractorSteps"/> is given). LSTM only: other
    /// cells have no i·g. <paramref name="direction"/> picks a bidirectional layer's forward or reverse pass.
    /// </summary>
    public static IReadOnlyList<WriteSummary> Writes<T>(Trace<T> trace, IReadOnlyList<int> informativeSteps, int layer = 0,
        IReadOnlyList<int>? distractorSteps = null, IReadOnlyList<int>? units = null, Direction direction = Direction.Forward)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var unitList = Select(trace, layer, units, direction).Units;
        var write = WriteMatrix(trace, layer, direction);
        var informative = Steps(informativeSteps, trace.Steps, nameof(informativeSteps));
        if (informative.Length == 0) throw new ArgumentException("Name at least one informative step.", nameof(informativeSteps));
        var distractors = distractorSteps is null
            ? Enumerable.Range(0, trace.Steps).Except(informative).ToArray()
            : Steps(distractorSteps, trace.Steps, nameof(distractorSteps));
        if (distractors.Intersect(informative).FirstOrDefault(-1) is var both and >= 0)
            throw new ArgumentException($"Step {both} is both informative and a distractor.", nameof(distractorSteps));
        return unitList.Select(u => new WriteSummary(u,
            informative.Average(t => Math.Abs(write[t][u])),
            distractors.Length == 0 ? double.NaN : distractors.Average(t => Math.Abs(write[t][u])))).ToArray();
    }

    /// <summary>i_t·g_t per step (rows, in time order for either direction) and unit (columns) of one layer of an LSTM trace.</summary>
    public static double[][] WriteMatrix<T>(Trace<T> trace, int layer = 0, Direction direction = Direction.Forward)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var l = Select(trace, layer, null, direction).Layer;
        RequireLstm(trace, "what the input gate writes (i·g)");
        var i = l.Values(TraceChannel.InputGate);
        var g = l.Values(TraceChannel.InputModulationGate);
        var m = new double[l.Steps][];
        for (int t = 0; t < l.Steps; t++)
        {
            m[t] = new double[l.Units];
            for (int u = 0; u < l.Units; u++) m[t][u] = double.CreateChecked(i[t * l.Units + u]) * double.CreateChecked(g[t * l.Units + u]);
        }
        return m;
    }

    /// <summary>
    /// Per layer (and direction: a bidirectional trace's reverse passes follow each layer's forward one) and gate, the
    /// fraction of values below <paramref name="low"/> and above <paramref name="high"/>, pooled over every step, unit
    /// and trace given (pass many traces to measure over a data set).
    /// </summary>
    public static IReadOnlyList<GateSaturation> Saturation<T>(IEnumerable<Trace<T>> traces, double low = 0.1, double high = 0.9)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(traces);
        Check.Fraction(low, nameof(low));
        Check.Fraction(high, nameof(high));
        if (!(low < high)) throw new ArgumentException($"low ({low}) must be below high ({high}).", nameof(low));
        var counts = new Dictionary<(int Layer, Direction Direction, TraceChannel Gate), (long Closed, long Open, long All)>();
        var order = new List<(int Layer, Direction Direction, TraceChannel Gate)>();
        CellKind? cell = null;
        foreach (var trace in traces)
        {
            ArgumentNullException.ThrowIfNull(trace, nameof(traces));
            if (cell is CellKind c && c != trace.Cell)
                throw new ArgumentException($"The traces mix {GateVocabulary.CellName(c)} and {GateVocabulary.CellName(trace.Cell)} cells; measure one model at a time.", nameof(traces));
            cell = trace.Cell;
            foreach (var layer in LayersAndDirections(trace, null, null))
                foreach (var gate in SigmoidGates(trace.Cell))
                {
                    var key = (layer.Layer, layer.Direction, gate);
                    if (!counts.TryGetValue(key, out var n)) order.Add(key);
                    foreach (var v in layer.Values(gate))
                    {
                        double d = double.CreateChecked(v);
                        n.All++;
                        if (d < low) n.Closed++;
                        else if (d > high) n.Open++;
                    }
                    counts[key] = n;
                }
        }
        if (cell is null) throw new ArgumentException("No traces were given.", nameof(traces));
        if (order.Count == 0)
            throw new ArgumentException($"A {GateVocabulary.CellName(cell.Value)} has no sigmoid gates to measure.", nameof(traces));
        return order.Select(k => counts[k] is var n ? new GateSaturation(k.Layer, k.Gate, (double)n.Closed / n.All, (double)n.Open / n.All, n.All, k.Direction) : null!)
            .ToArray();
    }

    /// <summary>|c_t| per step of one layer (and direction), summarised over its units.</summary>
    public static double[] CellMagnitudes<T>(Trace<T> trace, int layer = 0, CellMagnitude reduce = CellMagnitude.MaxOverUnits,
        Direction direction = Direction.Forward)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var l = Select(trace, layer, null, direction).Layer;
        RequireLstm(trace, "a cell state");
        var c = l.Values(TraceChannel.CellState);
        var r = new double[l.Steps];
        for (int t = 0; t < l.Steps; t++)
        {
            double acc = 0;
            for (int u = 0; u < l.Units; u++)
            {
                double a = Math.Abs(double.CreateChecked(c[t * l.Units + u]));
                acc = reduce == CellMagnitude.MaxOverUnits ? Math.Max(acc, a) : acc + a;
            }
            r[t] = reduce == CellMagnitude.MaxOverUnits ? acc : acc / l.Units;
        }
        return r;
    }

    /// <summary>
    /// The units that carry a remembered quantity: for each unit, Pearson r between its <paramref name="channel"/>
    /// (the cell state unless told) at <paramref name="step"/> of every trace and that trace's
    /// <paramref name="quantity"/> (the class, 0 or 1, of a two-class task; the target of a regression), strongest
    /// first. <paramref name="step"/> counts from each trace's end with <c>^k</c>, so traces may differ in length;
    /// e.g. <c>Carriers(traces, labels, ^1)</c> ranks by the cell state at the recall step. In a bidirectional model
    /// the reverse pass (<paramref name="direction"/>) has read the whole sequence by step 0: <c>Carriers(…, 0, direction: Direction.Reverse)</c>.
    /// </summary>
    public static IReadOnlyList<CarrierUnit> Carriers<T>(IReadOnlyList<Trace<T>> traces, IReadOnlyList<double> quantity, Index step,
        int layer = 0, TraceChannel channel = TraceChannel.CellState, Direction direction = Direction.Forward)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(traces);
        ArgumentNullException.ThrowIfNull(quantity);
        if (traces.Count != quantity.Count)
            throw new ArgumentException($"There are {traces.Count} traces but {quantity.Count} quantities; give one quantity per trace.", nameof(quantity));
        if (traces.Count < 2) throw new ArgumentException($"Ranking units needs at least two traces, but got {traces.Count}.", nameof(traces));
        foreach (var q in quantity)
            if (!double.IsFinite(q)) throw new ArgumentException($"The quantities must be finite, but one is {q}.", nameof(quantity));
        var first = Select(traces[0], layer, null, direction).Layer;
        if (!first.Has(channel))
            throw new ArgumentException($"The traces have no {GateVocabulary.Name(channel)}; a {GateVocabulary.CellName(traces[0].Cell)} records {string.Join(", ", first.Channels)}.", nameof(channel));
        var values = new double[first.Units][];
        for (int u = 0; u < first.Units; u++) values[u] = new double[traces.Count];
        for (int k = 0; k < traces.Count; k++)
        {
            var l = Select(traces[k] ?? throw new ArgumentNullException(nameof(traces), $"Trace {k} is null."), layer, null, direction).Layer;
            if (l.Units != first.Units || traces[k].Cell != traces[0].Cell)
                throw new ArgumentException($"Trace {k} is of another model ({GateVocabulary.CellName(traces[k].Cell)}, {l.Units} units; trace 0: {GateVocabulary.CellName(traces[0].Cell)}, {first.Units}); rank one model's traces at a time.", nameof(traces));
            int t = step.GetOffset(l.Steps);
            if ((uint)t >= (uint)l.Steps)
                throw new ArgumentOutOfRangeException(nameof(step), step, $"Step {step} does not exist in trace {k}, which has steps 0..{l.Steps - 1}.");
            for (int u = 0; u < l.Units; u++) values[u][k] = double.CreateChecked(l[channel, t, u]);
        }
        if (quantity.All(q => q == quantity[0]))
            throw new ArgumentException($"Every trace has the same quantity ({quantity[0]}), so no unit can follow it; rank over sequences that differ (e.g. both classes).", nameof(quantity));
        return Enumerable.Range(0, first.Units).Select(u => new CarrierUnit(u, Correlation(values[u], quantity)))
            .OrderByDescending(c => c.Strength).ThenBy(c => c.Unit).ToArray();
    }

    /// <summary>Pearson correlation of two equally long series; NaN when either is constant.</summary>
    public static double Correlation(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count != y.Count) throw new ArgumentException($"The series have {x.Count} and {y.Count} values; they must pair up.", nameof(y));
        if (x.Count < 2) throw new ArgumentException("A correlation needs at least two points.", nameof(x));
        double mx = x.Average(), my = y.Average(), sxy = 0, sxx = 0, syy = 0;
        for (int k = 0; k < x.Count; k++)
        {
            double dx = x[k] - mx, dy = y[k] - my;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }
        return sxx == 0 || syy == 0 ? double.NaN : sxy / Math.Sqrt(sxx * syy);
    }

    /// <summary>The σ gates of a cell kind (the ones bounded in (0, 1), which can saturate at either end).</summary>
    internal static IEnumerable<TraceChannel> SigmoidGates(CellKind cell)
        => GateVocabulary.DefaultChannels(cell).Where(ch => !GateVocabulary.IsPreActivation(ch) && ch != TraceChannel.HiddenState
            && ch != TraceChannel.CellState && GateVocabulary.Range(ch) is { Min: 0, Max: 1 });

    internal static (LayerTrace<T> Layer, int[] Units) Select<T>(Trace<T> trace, int layer, IReadOnlyList<int>? units,
        Direction direction = Direction.Forward)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var l = LayersAndDirections(trace, layer, direction)[0];
        if (units is null) return (l, Enumerable.Range(0, l.Units).ToArray());
        if (units.Count == 0) throw new ArgumentException("No units were chosen; pass at least one unit index, or null for all.", nameof(units));
        foreach (var u in units)
            if ((uint)u >= (uint)l.Units)
                throw new ArgumentOutOfRangeException(nameof(units), u, $"Unit {u} does not exist; layer {layer} has units 0..{l.Units - 1}.");
        return (l, units.ToArray());
    }

    /// <summary>The layer-direction passes a chart reads, layer by layer, forward before reverse: one layer (or every
    /// layer when <paramref name="layer"/> is null) in one direction (or each the trace has when
    /// <paramref name="direction"/> is null).</summary>
    internal static IReadOnlyList<LayerTrace<T>> LayersAndDirections<T>(Trace<T> trace, int? layer, Direction? direction)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(trace);
        if (layer is int k && (uint)k >= (uint)trace.Layers.Count)
            throw new ArgumentOutOfRangeException(nameof(layer), k, $"Layer {k} does not exist; the trace has layers 0..{trace.Layers.Count - 1}.");
        if (direction is { } d)
        {
            if (!Enum.IsDefined(d)) throw new ArgumentOutOfRangeException(nameof(direction), d, $"{d} is not a Direction. Expected Forward or Reverse.");
            if (d == Direction.Reverse && !trace.IsBidirectional)
                throw new ArgumentException("Direction Reverse does not exist: this trace is of a unidirectional model, which has only the forward pass. " +
                                            "Hint: Direction.Forward, or trace a model built WithBidirectional().", nameof(direction));
        }
        var list = new List<LayerTrace<T>>();
        foreach (int l in layer is int one ? [one] : Enumerable.Range(0, trace.Layers.Count))
        {
            if (direction is null or Direction.Forward) list.Add(trace.Layers[l]);
            if (direction is Direction.Reverse || (direction is null && trace.IsBidirectional)) list.Add(trace.ReverseLayers[l]);
        }
        return list;
    }

    /// <summary>"layer 1", or for a bidirectional trace "layer 1 forward" / "layer 1 reverse": how charts name a pass.</summary>
    internal static string PassName<T>(Trace<T> trace, LayerTrace<T> pass) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => PassName(pass.Layer, pass.Direction, trace.IsBidirectional);

    internal static string PassName(int layer, Direction direction, bool bidirectional)
        => $"layer {layer}{(bidirectional ? " " + DirectionName(direction) : "")}";

    internal static string DirectionName(Direction direction) => direction == Direction.Forward ? "forward" : "reverse";

    internal static void RequireLstm<T>(Trace<T> trace, string what) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (trace.Cell != CellKind.Lstm)
            throw new ArgumentException($"Only an LSTM has {what}; this trace is of a {GateVocabulary.CellName(trace.Cell)}.", nameof(trace));
    }

    private static int[] Steps(IReadOnlyList<int> steps, int count, string name)
    {
        ArgumentNullException.ThrowIfNull(steps, name);
        foreach (var s in steps)
            if ((uint)s >= (uint)count)
                throw new ArgumentOutOfRangeException(name, s, $"Step {s} does not exist; the trace has steps 0..{count - 1}.");
        return steps.Distinct().ToArray();
    }
}
