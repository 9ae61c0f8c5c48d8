using System.Numerics;
using Microsoft.Data.Analysis;

namespace LstmNotebooks.Data;

/// <summary>Which channels of a trace become columns.</summary>
public sealed record TraceFrameOptions
{
    /// <summary>The layer to export; null exports every layer (column names then start with "L{layer}.").</summary>
    public int? Layer { get; init; }

    /// <summary>Channels to export; null exports the gates, c and h the cell records (not the pre-activations).</summary>
    public IReadOnlyList<TraceChannel>? Channels { get; init; }

    /// <summary>Also export the head's outputs per step as y[0], y[1], ….</summary>
    public bool IncludeOutputs { get; init; } = true;
}

/// <summary>
/// Results as DataFrames, for tables in notebooks and for CSV: traces (one row per step, one column per channel and
/// unit), predictions, training histories, gradient flows and datasets.
/// </summary>
public static class Frames
{
    /// <summary>
    /// One row per time step; columns "step", then "{symbol}[{unit}]" per channel and unit (e.g. "f[3]" is unit 3 of
    /// the forget gate), prefixed "L{layer}." when several layers are exported, then "y[k]" for the head's outputs.
    /// </summary>
    public static DataFrame FromTrace<T>(Trace<T> trace, TraceFrameOptions? options = null) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(trace);
        options ??= new TraceFrameOptions();
        var layers = SelectLayers(trace, options.Layer);
        var columns = new List<DataFrameColumn> { new Int32DataFrameColumn("step", Enumerable.Range(0, trace.Steps)) };
        bool prefix = layers.Count > 1;
        foreach (var layer in layers)
        {
            var channels = options.Channels ?? GateVocabulary.DefaultChannels(trace.Cell);
            foreach (var channel in channels)
            {
                if (!layer.Has(channel))
                    throw new ArgumentException($"This {trace.Cell} trace has no {channel}; it records {string.Join(", ", layer.Channels)}.", nameof(options));
                for (int u = 0; u < layer.Units; u++)
                    columns.Add(new DoubleDataFrameColumn($"{(prefix ? $"L{layer.Layer}." : "")}{GateVocabulary.Symbol(channel)}[{u}]",
                        layer.Series(channel, u).Select(v => double.CreateChecked(v))));
            }
        }
        if (options.IncludeOutputs && trace.Outputs.Length > 0)
            for (int k = 0; k < trace.Outputs[0].Length; k++)
                columns.Add(new DoubleDataFrameColumn($"y[{k}]", trace.Outputs.Select(o => double.CreateChecked(o[k]))));
        return new DataFrame(columns);
    }

    /// <summary>Long ("tidy") form: one row per layer, channel, unit and step, with columns step, layer, channel
    /// (symbol), gate (name), unit, value, for filtering and grouping.</summary>
    public static DataFrame FromTraceLong<T>(Trace<T> trace, TraceFrameOptions? options = null) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(trace);
        options ??= new TraceFrameOptions();
        var step = new List<int>(); var layerCol = new List<int>(); var unitCol = new List<int>();
        var symbol = new List<string>(); var name = new List<string>(); var value = new List<double>();
        foreach (var layer in SelectLayers(trace, options.Layer))
            foreach (var channel in options.Channels ?? GateVocabulary.DefaultChannels(trace.Cell))
            {
                if (!layer.Has(channel))
                    throw new ArgumentException($"This {trace.Cell} trace has no {channel}; it records {string.Join(", ", layer.Channels)}.", nameof(options));
                var values = layer.Values(channel);
                for (int t = 0; t < layer.Steps; t++)
                    for (int u = 0; u < layer.Units; u++)
                    {
                        step.Add(t); layerCol.Add(layer.Layer); unitCol.Add(u);
                        symbol.Add(GateVocabulary.Symbol(channel)); name.Add(channel.ToString());
                        value.Add(double.CreateChecked(values[t * layer.Units + u]));
                    }
            }
        return new DataFrame(new Int32DataFrameColumn("step", step), new Int32DataFrameColumn("layer", layerCol),
            new StringDataFrameColumn("channel", symbol), new StringDataFrameColumn("gate", name),
            new Int32DataFrameColumn("unit", unitCol), new DoubleDataFrameColumn("value", value));
    }

    /// <summary>Columns step (or date), actual, predicted, residual (actual − predicted).</summary>
    public static DataFrame FromPredictions(IReadOnlyList<double> actual, IReadOnlyList<double> predicted, IReadOnlyList<DateTime>? dates = null)
    {
        ArgumentNullException.ThrowIfNull(actual);
        ArgumentNullException.ThrowIfNull(predicted);
        if (actual.Count != predicted.Count)
            throw new ArgumentException($"There are {actual.Count} actual values but {predicted.Count} predictions; they must pair up one to one.", nameof(predicted));
        if (dates is not null && dates.Count != actual.Count)
            throw new ArgumentException($"There are {dates.Count} dates but {actual.Count} values; give one date per value.", nameof(dates));
        var columns = new List<DataFrameColumn>
        {
            dates is null
                ? new Int32DataFrameColumn("step", Enumerable.Range(0, actual.Count))
                : new DateTimeDataFrameColumn("date", dates.Select(d => (DateTime?)d)),
            new DoubleDataFrameColumn("actual", actual),
            new DoubleDataFrameColumn("predicted", predicted),
            new DoubleDataFrameColumn("residual", actual.Zip(predicted, (a, p) => a - p)),
        };
        return new DataFrame(columns);
    }

    /// <summary>A forecast with its target rows: columns row, date (when known), actual, predicted, residual.</summary>
    public static DataFrame FromForecast(Forecast forecast)
    {
        ArgumentNullException.ThrowIfNull(forecast);
        var frame = FromPredictions(forecast.Actual, forecast.Predicted, forecast.Dates);
        frame.Columns.Insert(0, new Int64DataFrameColumn("row", forecast.TargetRows));
        return frame;
    }

    /// <summary>One row per epoch: epoch, train_loss, validation_loss (null without validation), learning_rate,
    /// elapsed_seconds, best (the epoch whose weights were kept).</summary>
    public static DataFrame FromHistory(TrainingHistory history)
    {
        ArgumentNullException.ThrowIfNull(history);
        var e = history.Epochs;
        return new DataFrame(
            new Int32DataFrameColumn("epoch", e.Select(r => r.Epoch)),
            new DoubleDataFrameColumn("train_loss", e.Select(r => r.TrainLoss)),
            new DoubleDataFrameColumn("validation_loss", e.Select(r => r.ValidationLoss)),
            new DoubleDataFrameColumn("learning_rate", e.Select(r => r.LearningRate)),
            new DoubleDataFrameColumn("elapsed_seconds", e.Select(r => r.Elapsed.TotalSeconds)),
            new BooleanDataFrameColumn("best", e.Select(r => r.Epoch == history.BestEpoch)));
    }

    /// <summary>One row per step: step, lag (steps back from the loss), then per layer dh_norm (‖∂L/∂h_t‖) and, for an
    /// LSTM, dc_norm (‖∂L/∂c_t‖), suffixed _L{layer} when the model has several layers.</summary>
    public static DataFrame FromGradientFlow(GradientFlow flow)
    {
        ArgumentNullException.ThrowIfNull(flow);
        int steps = flow.Steps;
        var columns = new List<DataFrameColumn>
        {
            new Int32DataFrameColumn("step", Enumerable.Range(0, steps)),
            new Int32DataFrameColumn("lag", Enumerable.Range(0, steps).Select(t => steps - 1 - t)),
        };
        for (int l = 0; l < flow.Layers; l++)
        {
            string suffix = flow.Layers > 1 ? $"_L{l}" : "";
            columns.Add(new DoubleDataFrameColumn("dh_norm" + suffix, flow.HiddenNorms(l)));
            if (flow.HasCellState) columns.Add(new DoubleDataFrameColumn("dc_norm" + suffix, flow.CellNorms(l)));
        }
        return new DataFrame(columns);
    }

    /// <summary>A dataset in long form: one row per sample and step, columns sample, step, x0…x{F−1}, y0…y{W−1}.
    /// Targets read at the last step only are null on the other steps.</summary>
    public static DataFrame FromDataset<T>(Dataset<T> data) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(data);
        var sample = new List<int>();
        var step = new List<int>();
        var x = Enumerable.Range(0, data.Features).Select(_ => new List<double>()).ToArray();
        var y = Enumerable.Range(0, data.TargetWidth).Select(_ => new List<double?>()).ToArray();
        for (int s = 0; s < data.Count; s++)
        {
            var input = data[s].Input;
            var target = data[s].Target;
            bool perStep = target.Steps == input.Steps && input.Steps > 1;
            for (int t = 0; t < input.Steps; t++)
            {
                sample.Add(s);
                step.Add(t);
                for (int f = 0; f < data.Features; f++) x[f].Add(double.CreateChecked(input[t, f]));
                int? row = perStep ? t : t == input.Steps - 1 ? 0 : null;
                for (int k = 0; k < data.TargetWidth; k++) y[k].Add(row is int r ? double.CreateChecked(target[r, k]) : null);
            }
        }
        var columns = new List<DataFrameColumn> { new Int32DataFrameColumn("sample", sample), new Int32DataFrameColumn("step", step) };
        columns.AddRange(x.Select((c, f) => new DoubleDataFrameColumn($"x{f}", c)));
        columns.AddRange(y.Select((c, k) => new DoubleDataFrameColumn($"y{k}", c)));
        return new DataFrame(columns);
    }

    private static IReadOnlyList<LayerTrace<T>> SelectLayers<T>(Trace<T> trace, int? layer) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        if (layer is null) return trace.Layers;
        if ((uint)layer.Value >= (uint)trace.Layers.Count)
            throw new ArgumentOutOfRangeException(nameof(layer), layer, $"Layer {layer} does not exist; the trace has layers 0..{trace.Layers.Count - 1}.");
        return [trace.Layers[layer.Value]];
    }
}

/// <summary>The <see cref="Frames"/> conversions as extension methods: <c>trace.ToDataFrame()</c>, <c>history.ToDataFrame()</c>, ….</summary>
public static class FrameExtensions
{
    public static DataFrame ToDataFrame<T>(this Trace<T> trace, TraceFrameOptions? options = null) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Frames.FromTrace(trace, options);
    public static DataFrame ToLongDataFrame<T>(this Trace<T> trace, TraceFrameOptions? options = null) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => Frames.FromTraceLong(trace, options);
    public static DataFrame ToDataFrame(this TrainingHistory history) => Frames.FromHistory(history);
    public static DataFrame ToDataFrame(this GradientFlow flow) => Frames.FromGradientFlow(flow);
    public static DataFrame ToDataFrame(this Forecast forecast) => Frames.FromForecast(forecast);
    public static DataFrame ToDataFrame<T>(this Dataset<T> data) where T : unmanaged, IBinaryFloatingPointIeee754<T> => Frames.FromDataset(data);
}
