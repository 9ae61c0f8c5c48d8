using System.Globalization;
using System.Numerics;
using LstmNotebooks.Tasks;
using Microsoft.Data.Analysis;

namespace LstmNotebooks.Data;

/// <summary>Sine-wave prediction: each sample is a window of a sine with random period, amplitude and phase.</summary>
public sealed record SineWaveOptions
{
    public int Count { get; init; } = 256;
    public int Steps { get; init; } = 50;

    /// <summary>How many steps after the input the target lies.</summary>
    public int Horizon { get; init; } = 1;

    /// <summary>Period range in time steps per cycle.</summary>
    public double MinPeriod { get; init; } = 12;
    public double MaxPeriod { get; init; } = 36;
    public double MinAmplitude { get; init; } = 0.5;
    public double MaxAmplitude { get; init; } = 1.0;

    /// <summary>Standard deviation of Gaussian noise added to the inputs (targets stay clean).</summary>
    public double Noise { get; init; }
    public TargetLayout Target { get; init; } = TargetLayout.LastStep;
    public long Seed { get; init; }
}

/// <summary>
/// The shape of a "remember the first symbol" sequence as this package's frames use it: step 0 carries one of
/// <see cref="Symbols"/> signal symbols, steps 1…gap−1 carry distractors, step gap carries the query marker, and the
/// class to output is the first symbol. The task itself (sizes, draws) is the core's <see cref="RememberFirst"/>.
/// </summary>
public sealed record RememberFirstSymbolLayout(int Gap, int Symbols, int Distractors)
{
    /// <summary>The core task this layout describes.</summary>
    public RememberFirst Task => new(Gap, Symbols, Distractors, queryMarker: true);
    public int InputSize => Task.InputSize;
    public int Classes => Task.Classes;
    public int SequenceLength => Task.SequenceLength;
    public int ArrivalStep => Task.ArrivalStep;
    public int RecallStep => Task.RecallStep;
    public int QueryFeature => Task.QueryFeature;
}

/// <summary>Bracket nesting: random sequences over "(", ")" and a filler symbol; the target at every step is the nesting
/// depth after that step (a class, 0…<see cref="MaxDepth"/>).</summary>
public sealed record BracketDepthOptions
{
    public int Count { get; init; } = 256;
    public int Steps { get; init; } = 60;

    /// <summary>The deepest nesting a sequence reaches; at this depth the next bracket always closes.</summary>
    public int MaxDepth { get; init; } = 4;

    /// <summary>Chance that a step carries the filler symbol instead of a bracket, so the depth has to be held across
    /// steps that do not change it.</summary>
    public double FillerProbability { get; init; } = 0.3;
    public long Seed { get; init; }
}

/// <summary>The alphabet of the bracket-depth task: one-hot features "(" (0), ")" (1) and the filler "·" (2); classes are
/// depths 0…MaxDepth.</summary>
public sealed record BracketDepthLayout(int MaxDepth)
{
    public const int Open = 0, Close = 1, Filler = 2;
    public int InputSize => 3;
    public int Classes => MaxDepth + 1;

    /// <summary>"(", ")" or "·" for a symbol index.</summary>
    public static string Symbol(int symbol) => symbol switch
    {
        Open => "(", Close => ")", Filler => "·",
        _ => throw new ArgumentOutOfRangeException(nameof(symbol), symbol, $"The bracket alphabet has symbols 0 \"(\", 1 \")\" and 2 \"·\", not {symbol}."),
    };

    /// <summary>The symbols of a one-hot input sequence of this task.</summary>
    public int[] Symbols<T>(Sequence<T> input) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Features != InputSize)
            throw new ArgumentException($"A bracket sequence has {InputSize} one-hot features, but this one has {input.Features}.", nameof(input));
        var symbols = new int[input.Steps];
        for (int t = 0; t < symbols.Length; t++)
        {
            int hot = -1;
            for (int f = 0; f < InputSize; f++)
                if (input[t, f] == T.One) hot = hot < 0 ? f : throw new ArgumentException($"Step {t} has more than one symbol set; expected one-hot rows.", nameof(input));
            symbols[t] = hot >= 0 ? hot : throw new ArgumentException($"Step {t} has no symbol set; expected one-hot rows.", nameof(input));
        }
        return symbols;
    }

    /// <summary>The nesting depth after each step, counted from the symbols (the task's ground truth).</summary>
    public int[] Depths<T>(Sequence<T> input) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var symbols = Symbols(input);
        var depth = new int[symbols.Length];
        int d = 0;
        for (int t = 0; t < symbols.Length; t++)
        {
            d += symbols[t] == Open ? 1 : symbols[t] == Close ? -1 : 0;
            if (d < 0 || d > MaxDepth)
                throw new ArgumentException($"At step {t} the depth would be {d}, outside 0…{MaxDepth}; this is not a sequence of the task.", nameof(input));
            depth[t] = d;
        }
        return depth;
    }
}

/// <summary>
/// Deterministic generators for the synthetic tasks: the same arguments and seed give the same dataset on every
/// machine (they draw from the core's SplitMix64 <see cref="Rng"/>, not System.Random).
/// </summary>
public static class SyntheticTasks
{
    public static Dataset<T> SineWave<T>(int count, int steps, long seed) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => SineWave<T>(new SineWaveOptions { Count = count, Steps = steps, Seed = seed });

    /// <summary>Inputs x_t = A·sin(2π t / P + φ) + noise for t = 0…Steps−1 (one feature); the target is the clean value
    /// at Steps−1+Horizon (LastStep) or at t+Horizon for every t (EveryStep).</summary>
    public static Dataset<T> SineWave<T>(SineWaveOptions options) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(options);
        Positive(options.Count, nameof(options.Count));
        Positive(options.Steps, nameof(options.Steps));
        if (options.Horizon < 1) throw new ArgumentOutOfRangeException(nameof(options), options.Horizon, $"Horizon must be at least 1 step, but was {options.Horizon}.");
        if (!(options.MinPeriod >= 2 && options.MaxPeriod >= options.MinPeriod && double.IsFinite(options.MaxPeriod)))
            throw new ArgumentOutOfRangeException(nameof(options), $"Periods must satisfy 2 ≤ MinPeriod ≤ MaxPeriod < ∞ (fewer than 2 steps per cycle aliases), but were [{options.MinPeriod}, {options.MaxPeriod}].");
        if (!(options.MinAmplitude > 0 && options.MaxAmplitude >= options.MinAmplitude && double.IsFinite(options.MaxAmplitude)))
            throw new ArgumentOutOfRangeException(nameof(options), $"Amplitudes must satisfy 0 < MinAmplitude ≤ MaxAmplitude < ∞, but were [{options.MinAmplitude}, {options.MaxAmplitude}].");
        if (!(options.Noise >= 0 && double.IsFinite(options.Noise)))
            throw new ArgumentOutOfRangeException(nameof(options), options.Noise, $"Noise must be a finite standard deviation ≥ 0, but was {options.Noise}.");
        if (!Enum.IsDefined(options.Target))
            throw new ArgumentOutOfRangeException(nameof(options), options.Target, $"Target is {options.Target}, which is not a TargetLayout. Expected LastStep or EveryStep.");
        bool every = options.Target == TargetLayout.EveryStep;
        Fits<T>($"Generating {options.Count:N0} sine windows of {options.Steps:N0} steps", nameof(options), options.Steps, options.Count,
            (double)options.Count * options.Steps * (every ? 2 : 1), "fewer or shorter windows (Count, Steps).");

        var rng = new Rng(options.Seed);
        var samples = new Sample<T>[options.Count];
        for (int s = 0; s < samples.Length; s++)
        {
            double period = rng.Uniform(options.MinPeriod, options.MaxPeriod);
            double amplitude = rng.Uniform(options.MinAmplitude, options.MaxAmplitude);
            double phase = rng.Uniform(0, 2 * Math.PI);
            // long: a target Horizon steps past the window may lie beyond int.MaxValue.
            double Clean(long t) => amplitude * Math.Sin(2 * Math.PI * t / period + phase);
            var input = new T[options.Steps];
            for (int t = 0; t < input.Length; t++)
                input[t] = T.CreateChecked(Clean(t) + (options.Noise > 0 ? options.Noise * rng.NextGaussian() : 0));
            var sequence = Sequence.FromFlat<T>(input, options.Steps, 1);
            if (options.Target == TargetLayout.LastStep)
                samples[s] = Sample.Create(sequence, T.CreateChecked(Clean((long)options.Steps - 1 + options.Horizon)));
            else
            {
                var targets = new T[options.Steps];
                for (int t = 0; t < targets.Length; t++) targets[t] = T.CreateChecked(Clean((long)t + options.Horizon));
                samples[s] = Sample.PerStep(sequence, Sequence.FromFlat<T>(targets, options.Steps, 1));
            }
        }
        return Dataset.Create(samples);
    }

    /// <summary>One long sine series as a frame (columns step, value), e.g. to try <see cref="TimeSeriesWindows"/>.</summary>
    public static DataFrame SineWaveFrame(int length, double period, double noise, long seed)
    {
        Positive(length, nameof(length));
        Fits<double>($"Generating a sine frame of {length:N0} rows", nameof(length), length, 1, 2.0 * length, "a shorter series.");
        if (!(period >= 2 && double.IsFinite(period))) throw new ArgumentOutOfRangeException(nameof(period), period, $"The period must be at least 2 steps, but was {period}.");
        if (!(noise >= 0 && double.IsFinite(noise))) throw new ArgumentOutOfRangeException(nameof(noise), noise, $"Noise must be ≥ 0, but was {noise}.");
        var rng = new Rng(seed);
        var values = new double[length];
        for (int t = 0; t < length; t++) values[t] = Math.Sin(2 * Math.PI * t / period) + (noise > 0 ? noise * rng.NextGaussian() : 0);
        return new DataFrame(new Int32DataFrameColumn("step", Enumerable.Range(0, length)), new DoubleDataFrameColumn("value", values));
    }

    public static RememberFirstSymbolLayout RememberFirstSymbolLayout(int gap, int symbols = 2, int distractors = 3)
    {
        var task = new RememberFirst(gap, symbols, distractors, queryMarker: true);   // checks every size
        _ = task.InputSize;                                                            // and that the features fit an int
        return new RememberFirstSymbolLayout(task.Gap, task.Symbols, task.Distractors);
    }

    /// <summary>
    /// "Remember the first symbol": <paramref name="count"/> one-hot sequences of length gap+1 whose class is the symbol
    /// at step 0; the model must carry it across gap−1 random distractors to the query marker at step gap
    /// (Hochreiter &amp; Schmidhuber 1997, experiment 2). Classes are balanced in expectation. Use
    /// <see cref="RememberFirstSymbolLayout"/> for the input size and the arrival/recall steps. The generator is the
    /// core's <see cref="RememberFirst"/> (with a query marker); this is its entry point beside the frame exports.
    /// </summary>
    public static Dataset<T> RememberFirstSymbol<T>(int gap, int count, long seed, int symbols = 2, int distractors = 3)
        where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var task = RememberFirstSymbolLayout(gap, symbols, distractors).Task;
        Positive(count, nameof(count));
        double perSequence = (double)task.SequenceLength * task.InputSize;
        Fits<T>($"Generating {count:N0} sequences of {task.SequenceLength:N0} steps × {task.InputSize:N0} one-hot features", nameof(gap), perSequence, count,
            perSequence * count, "a shorter gap, fewer symbols or fewer sequences.");
        return task.Generate<T>(count, seed);
    }

    public static BracketDepthLayout BracketDepthLayout(int maxDepth = 4)
    {
        if (maxDepth < 1) throw new ArgumentOutOfRangeException(nameof(maxDepth), maxDepth, $"The maximum depth must be at least 1, but was {maxDepth}.");
        return new BracketDepthLayout(maxDepth);
    }

    /// <summary>
    /// Bracket nesting depth: each sequence is a random walk of depth between 0 and MaxDepth — at depth 0 a bracket opens,
    /// at MaxDepth it closes, in between it opens or closes with equal chance — with filler steps mixed in that leave the
    /// depth unchanged. Inputs are one-hot (<see cref="Data.BracketDepthLayout"/>); the target at every step is the depth
    /// after it, a class for an every-step classification head. The depth is an integer the network has to count and
    /// hold: a task with structure, for finding the unit that tracks it (Karpathy, Johnson &amp; Fei-Fei 2015).
    /// </summary>
    public static Dataset<T> BracketDepth<T>(BracketDepthOptions options) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(options);
        Positive(options.Count, nameof(options.Count));
        Positive(options.Steps, nameof(options.Steps));
        var layout = BracketDepthLayout(options.MaxDepth);
        if (!(options.FillerProbability >= 0 && options.FillerProbability < 1))
            throw new ArgumentOutOfRangeException(nameof(options), options.FillerProbability, $"The filler probability must be in [0, 1), but was {options.FillerProbability}.");
        var rng = new Rng(options.Seed);
        var samples = new Sample<T>[options.Count];
        var symbols = new int[options.Steps];
        var depths = new int[options.Steps];
        for (int s = 0; s < samples.Length; s++)
        {
            int depth = 0;
            for (int t = 0; t < options.Steps; t++)
            {
                int symbol = rng.NextDouble() < options.FillerProbability ? Data.BracketDepthLayout.Filler
                    : depth == 0 ? Data.BracketDepthLayout.Open
                    : depth == options.MaxDepth ? Data.BracketDepthLayout.Close
                    : rng.NextInt(2) == 0 ? Data.BracketDepthLayout.Open : Data.BracketDepthLayout.Close;
                depth += symbol == Data.BracketDepthLayout.Open ? 1 : symbol == Data.BracketDepthLayout.Close ? -1 : 0;
                symbols[t] = symbol;
                depths[t] = depth;
            }
            samples[s] = Sample.ClassPerStep(Sequence.OneHot<T>(symbols, layout.InputSize), depths);
        }
        return Dataset.Create(samples);
    }

    // ---- committed sample files -----------------------------------------------------------------------------------------

    /// <summary>The exact text of datasets/sine-wave-sample.csv: 4 noisy sine windows of 20 steps (seed 42), values
    /// rounded to 6 decimals so the file does not depend on the last bit of the platform's sin.</summary>
    public static string SineWaveSampleCsv()
        => Csv.ToCsvString(Rounded(Frames.FromDataset(SineWave<double>(new SineWaveOptions { Count = 4, Steps = 20, Noise = 0.05, Seed = 42 }))));

    /// <summary>The exact text of datasets/remember-first-symbol-sample.csv: 6 sequences with gap 8 (seed 42).</summary>
    public static string RememberFirstSymbolSampleCsv()
    {
        var layout = RememberFirstSymbolLayout(gap: 8);
        var data = RememberFirstSymbol<double>(layout.Gap, count: 6, seed: 42, layout.Symbols, layout.Distractors);
        var frame = Frames.FromDataset(data);
        // The one-hot columns are exact; a readable symbol column (argmax) helps whoever opens the file.
        var symbol = new StringDataFrameColumn("symbol", Enumerable.Range(0, (int)frame.Rows.Count).Select(r =>
        {
            int k = Enumerable.Range(0, layout.InputSize).First(f => (double)frame.Columns[$"x{f}"][r] == 1.0);
            return k < layout.Symbols ? $"S{k}" : k < layout.QueryFeature ? $"d{k - layout.Symbols}" : "?";
        }));
        frame.Columns.Insert(2, symbol);
        return Csv.ToCsvString(frame);
    }

    private static DataFrame Rounded(DataFrame frame)
    {
        var columns = frame.Columns.Select(c => c is DoubleDataFrameColumn d
            ? new DoubleDataFrameColumn(c.Name, Enumerable.Range(0, (int)d.Length).Select(i => d[i] is double v ? Math.Round(v, 6) : (double?)null))
            : c.Clone()).ToList();
        return new DataFrame(columns);
    }

    /// <summary>Refuses, before generating anything, data whose longest array or total size cannot be held.</summary>
    private static void Fits<T>(string what, string paramName, double longest, double arrays, double total, string hint) where T : unmanaged
    {
        if (arrays > Array.MaxLength) longest = arrays; // the array of samples itself
        if (Limits.Exceeded(what, longest, total, System.Runtime.CompilerServices.Unsafe.SizeOf<T>(), hint) is { } problem)
            throw new ArgumentOutOfRangeException(paramName, problem);
    }

    private static void Positive(int value, string name)
    {
        if (value <= 0) throw new ArgumentOutOfRangeException(name, value, string.Create(CultureInfo.InvariantCulture, $"{name} must be positive, but was {value}."));
    }
}
