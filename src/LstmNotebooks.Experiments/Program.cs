using System.CommandLine;
using System.Globalization;
using LstmNotebooks;
using LstmNotebooks.Experiments;
using LstmNotebooks.Plotting;

var lagOption = new Option<int[]>("--lag", "--length", "-T", "-q", "-N")
{
    Description = "Lag(s): p (2a, 2b), q (2c), T (3a–3c, adding, multiplication), L (temporal-order, paper 40), N (remember-first). Several allowed.",
    AllowMultipleArgumentsPerToken = true,
};
var seedsOption = new Option<int>("--seeds") { Description = "Seeds per configuration (1, 2, …).", DefaultValueFactory = _ => 3 };
var firstSeedOption = new Option<int>("--first-seed") { Description = "First seed.", DefaultValueFactory = _ => 1 };
var modelOption = new Option<ModelKind[]>("--model")
{
    Description = "lstm, rnn, hmm (predictive), hmmclassifier (one HMM per class), guess (random weight guessing). Several allowed.",
    AllowMultipleArgumentsPerToken = true,
    DefaultValueFactory = _ => [ModelKind.Lstm],
};
var budgetOption = new Option<long>("--budget") { Description = "Training sequences at most per run.", DefaultValueFactory = _ => 200_000 };
var hiddenOption = new Option<int>("--hidden") { Description = "Hidden units (LSTM, RNN, guessing).", DefaultValueFactory = _ => 16 };
var lrOption = new Option<double>("--lr") { Description = "Learning rate (Adam or SGD).", DefaultValueFactory = _ => 0.01 };
var batchOption = new Option<int>("--batch") { Description = "Mini-batch size (one optimizer step per batch).", DefaultValueFactory = _ => 8 };
var chunkOption = new Option<int>("--chunk") { Description = "Sequences drawn and reported at a time.", DefaultValueFactory = _ => 4096 };
var optimizerOption = new Option<OptimizerKind>("--optimizer") { Description = "adam (default) or sgd (the paper's).", DefaultValueFactory = _ => OptimizerKind.Adam };
var momentumOption = new Option<double>("--momentum") { Description = "SGD momentum." };
var noAnnealOption = new Option<bool>("--no-anneal") { Description = "Keep the learning rate constant (no annealing as the stream error falls)." };
var annealWindowOption = new Option<int>("--anneal-window") { Description = "Stream sequences the annealing error rate is taken over.", DefaultValueFactory = _ => 1000 };
var annealFloorOption = new Option<double>("--anneal-floor") { Description = "Smallest annealing factor of the learning rate.", DefaultValueFactory = _ => 0.1 };
var clipOption = new Option<double>("--clip") { Description = "Global gradient-norm clip.", DefaultValueFactory = _ => 1.0 };
var inputBiasOption = new Option<double?>("--input-gate-bias") { Description = "Initial input-gate bias (LSTM)." };
var minutesOption = new Option<double?>("--time-limit") { Description = "Minutes per run at most." };
var alphabetOption = new Option<int?>("--alphabet", "-p") { Description = "Exp. 2c: p, the number of distractor symbols (default p = q)." };
var informativeOption = new Option<int?>("--informative") { Description = "Exp. 3: N, the informative elements at the start (default 3)." };
var nSeqOption = new Option<int?>("--n-seq") { Description = "Exp. 5: fewer than n_seq of the last 2,000 may be wrong (paper: 140, or the stricter 13)." };
var checkEveryOption = new Option<int>("--check-every") { Description = "Exp. 3: training sequences between two checks of the stop criterion.", DefaultValueFactory = _ => 500 };
var guessHiddenOption = new Option<int>("--guess-hidden") { Description = "Random guessing: hidden units of the guessed RNN (the 1996 paper's A1 with 1 unit).", DefaultValueFactory = _ => 1 };
var guessRangeOption = new Option<double>("--guess-range") { Description = "Random guessing: weights from U[-range, range].", DefaultValueFactory = _ => 100 };
var hmmStatesOption = new Option<int>("--hmm-states") { Description = "HMM states (per model).", DefaultValueFactory = _ => 16 };
var hmmRestartsOption = new Option<int>("--hmm-restarts") { Description = "Baum–Welch random restarts (the most likely model is kept).", DefaultValueFactory = _ => 3 };
var hmmSequencesOption = new Option<int>("--hmm-sequences") { Description = "Baum–Welch training sequences.", DefaultValueFactory = _ => 1000 };
var hmmIterationsOption = new Option<int>("--hmm-iterations") { Description = "Baum–Welch iterations at most.", DefaultValueFactory = _ => 100 };
var windowOption = new Option<int?>("--window") { Description = "Criterion window or check-set size (default: the paper's, e.g. 10,000 for 2a/2c)." };
var testSizeOption = new Option<int>("--test-size") { Description = "Test sequences.", DefaultValueFactory = _ => 2560 };
var parallelOption = new Option<int>("--parallel") { Description = "Runs at a time (each run is single-threaded).", DefaultValueFactory = _ => 1 };
var outOption = new Option<string>("--out", "-o") { Description = "Folder for results.csv (appended) and results.html.", DefaultValueFactory = _ => Path.Combine("artifacts", "experiments") };
var variantOption = new Option<LstmVariant>("--variant") { Description = "LSTM variant for --model lstm.", DefaultValueFactory = _ => LstmVariant.NoForgetGate1997 };
var variantsOption = new Option<LstmVariant[]>("--variants")
{
    Description = "LSTM variants for the ablation.",
    AllowMultipleArgumentsPerToken = true,
    DefaultValueFactory = _ => Enum.GetValues<LstmVariant>(),
};

var root = new RootCommand("Long-gap experiments of Hochreiter & Schmidhuber (1997) and Gers et al. (2000): LSTM against a vanilla RNN, HMMs and random weight guessing.");
var tasks = new (string Name, LongGapTask Task, string Help)[]
{
    ("reber", LongGapTask.EmbeddedReber, "Exp. 1: embedded Reber grammar (next-symbol prediction)."),
    ("2a", LongGapTask.NoiseFreeLongLag, "Exp. 2a: noise-free long lag, p+1 symbols."),
    ("2b", LongGapTask.RandomMiddle, "Exp. 2b: as 2a with a random middle."),
    ("2c", LongGapTask.LongLagWithDistractors, "Exp. 2c: very long lag with distractors (q, p)."),
    ("3a", LongGapTask.TwoSequence, "Exp. 3a: two-sequence problem, N informative ±1 then noise (length T)."),
    ("3b", LongGapTask.TwoSequenceNoisyInputs, "Exp. 3b: 3a with noisy informative elements."),
    ("3c", LongGapTask.TwoSequenceNoisyTargets, "Exp. 3c: 3b with targets 0.2/0.8 plus target noise."),
    ("adding", LongGapTask.Adding, "Exp. 4: the adding problem (length T)."),
    ("multiplication", LongGapTask.Multiplication, "Exp. 5: the multiplication problem (length T; --n-seq 140 or 13)."),
    ("temporal-order", LongGapTask.TemporalOrder, "Exp. 6a: temporal order of two events (L = 40 is the paper's)."),
    ("temporal-order-3", LongGapTask.TemporalOrderThree, "Exp. 6b: temporal order of three events, 8 classes (L = 40)."),
    ("remember-first", LongGapTask.RememberFirst, "Remember the first symbol and output it after N steps."),
};

Option[] common = [lagOption, seedsOption, firstSeedOption, budgetOption, hiddenOption, lrOption, batchOption, chunkOption, clipOption,
    inputBiasOption, optimizerOption, momentumOption, noAnnealOption, annealWindowOption, annealFloorOption, minutesOption, alphabetOption, informativeOption, nSeqOption,
    checkEveryOption, guessHiddenOption, guessRangeOption, hmmStatesOption, hmmRestartsOption, hmmSequencesOption, hmmIterationsOption, windowOption, testSizeOption,
    parallelOption, outOption];

foreach (var (name, task, help) in tasks)
{
    var command = new Command(name, help) { modelOption, variantOption };
    foreach (var o in common) command.Options.Add(o);
    command.SetAction((parse, token) => Task.FromResult(Cli.Guard(() =>
        RunMany(parse, task, [.. parse.GetValue(modelOption)!.Select(k => Config(parse, k, parse.GetValue(variantOption)))], token))));
    root.Subcommands.Add(command);
}

var taskArgument = new Argument<string>("task") { Description = "Task name: " + string.Join(", ", tasks.Select(t => t.Name)) };
var ablation = new Command("ablation", "LSTM variants on one task: the 1997 cell without forget gate, forget bias 0/1/5, peepholes.") { taskArgument, variantsOption };
foreach (var o in common) ablation.Options.Add(o);
ablation.SetAction((parse, token) => Task.FromResult(Cli.Guard(() =>
{
    var task = TaskByName(parse.GetValue(taskArgument)!);
    return RunMany(parse, task, [.. parse.GetValue(variantsOption)!.Select(v => Config(parse, ModelKind.Lstm, v))], token);
})));
root.Subcommands.Add(ablation);

var trainingSymbolsOption = new Option<long>("--training-symbols") { Description = "Training symbols in all (summed over the parallel streams).", DefaultValueFactory = _ => ContinualReberOptions.Default.TrainingSymbols };
var testSymbolsOption = new Option<int>("--test-symbols") { Description = "Symbols of the never-reset test stream (10⁶: the paper's \"perfect\").", DefaultValueFactory = _ => ContinualReberOptions.Default.TestSymbols };
var reberHiddenOption = new Option<int>("--hidden") { Description = "Cells per network.", DefaultValueFactory = _ => ContinualReberOptions.Default.HiddenSize };
var reberLrOption = new Option<double>("--lr") { Description = "Adam learning rate.", DefaultValueFactory = _ => ContinualReberOptions.Default.LearningRate };
var streamsOption = new Option<int>("--streams") { Description = "Parallel training streams (the batch).", DefaultValueFactory = _ => ContinualReberOptions.Default.Streams };
var truncationOption = new Option<int>("--truncation") { Description = "Truncated-BPTT window in steps.", DefaultValueFactory = _ => ContinualReberOptions.Default.TruncationWindow };
var quickOption = new Option<bool>("--quick") { Description = "The notebooks' quick sizes." };
var continual = new Command("continual-reber", "Gers et al. 2000: the never-reset embedded Reber stream; the 1997 cell against the forget-gate cell.")
    { seedsOption, firstSeedOption, trainingSymbolsOption, testSymbolsOption, reberHiddenOption, reberLrOption, streamsOption, truncationOption, quickOption, outOption };
continual.SetAction((parse, token) => Task.FromResult(Cli.Guard(() =>
{
    var options = parse.GetValue(quickOption) ? ContinualReberOptions.Quick : ContinualReberOptions.Default with
    {
        TrainingSymbols = parse.GetValue(trainingSymbolsOption), TestSymbols = parse.GetValue(testSymbolsOption),
        HiddenSize = parse.GetValue(reberHiddenOption), LearningRate = parse.GetValue(reberLrOption),
        Streams = parse.GetValue(streamsOption), TruncationWindow = parse.GetValue(truncationOption),
    };
    options.Validate();
    int seeds = Cli.Positive(parse.GetValue(seedsOption), "--seeds");
    var csv = Cli.ResultsCsv(parse.GetValue(outOption)!);
    Console.WriteLine($"{2 * seeds} run(s) of the continual Reber stream; results → {csv}");
    for (int s = 0; s < seeds; s++)
    {
        long seed = parse.GetValue(firstSeedOption) + s;
        foreach (bool forget in new[] { false, true })
        {
            var run = ContinualReber.Run(options, forget, seed, Cli.Progress(), token);
            ResultsFile.Append(csv, [run.ToResult()]);
            Console.WriteLine(FormattableString.Invariant(
                $"DONE continual Reber {run.Model} seed {seed}: {run.StepAccuracy:P2} of {run.TestSymbols:N0} symbols right, repeated T|P {run.RepeatAccuracy:P1}, first error after {run.SymbolsUntilFirstError:N0}, max |c| {run.PeakAbsCellState:G4} (last tenth {run.LateAbsCellState:G4}), units' peak |c| {string.Join(" ", run.UnitPeakAbsCellState.Select(v => v.ToString("G3", CultureInfo.InvariantCulture)))}, forget gate of unit {run.ResettingUnit} at string ends {run.ForgetGateAtStringEnds:F3} vs {run.ForgetGateElsewhere:F3} elsewhere, {run.WallTime.TotalSeconds:F1} s"));
        }
    }
    return 0;
})));
root.Subcommands.Add(continual);

var comparison = new Command("long-gaps", "The notebooks' comparison: LSTM, RNN and HMM on 2c at lags 10, 100, 1000 (reduced sizes).") { quickOption, outOption };
comparison.SetAction((parse, token) => Task.FromResult(Cli.Guard(() =>
{
    var options = parse.GetValue(quickOption) ? LongGapComparisonOptions.Quick : LongGapComparisonOptions.Full;
    var result = LongGapComparison.Run(options, Cli.Progress(), token);
    Console.Write(result.Summary);
    Console.WriteLine($"total {result.WallTime.TotalSeconds:F0} s");
    return 0;
})));
root.Subcommands.Add(comparison);

var flow = new Command("gradient-flow", "‖∂L/∂c_t‖ (LSTM variants) and ‖∂L/∂h_t‖ (RNN) against lag, at initialisation.") { taskArgument };
flow.Options.Add(lagOption);
flow.Options.Add(hiddenOption);
flow.Options.Add(firstSeedOption);
flow.Options.Add(outOption);
flow.SetAction(parse => Cli.Guard(() =>
{
    var task = TaskByName(parse.GetValue(taskArgument)!);
    var lags = Lags(parse, task);
    var points = GradientFlowStudy.Measure(task, lags, GradientFlowStudy.DefaultModels(Cli.Positive(parse.GetValue(hiddenOption), "--hidden")), parse.GetValue(firstSeedOption));
    var outDir = parse.GetValue(outOption)!;
    Directory.CreateDirectory(outDir);
    var csv = Path.Combine(outDir, "gradient-flow.csv");
    using (var writer = new StreamWriter(csv))
    {
        writer.WriteLine("task,lag,model,first_step_norm,last_step_norm,ratio");
        foreach (var p in points)
            writer.WriteLine(FormattableString.Invariant($"{task},{p.Lag},\"{p.Model}\",{p.FirstStepNorm:G6},{p.LastStepNorm:G6},{p.Ratio:G6}"));
    }
    Console.WriteLine($"{"lag",6}  {"model",-30} {"‖∂L/∂state‖ at step 0",22} {"at the last step",18} {"ratio",12}");
    foreach (var p in points)
        Console.WriteLine(FormattableString.Invariant($"{p.Lag,6}  {p.Model,-30} {p.FirstStepNorm,22:G4} {p.LastStepNorm,18:G4} {p.Ratio,12:G4}"));
    var charts = points.GroupBy(p => p.Lag).Select(g => GradientCharts.FlowVsLag(g.Select(p => new NamedGradientFlow(p.Model, p.Example)).ToList()));
    ChartHtml.SavePage(charts, Path.Combine(outDir, "gradient-flow.html"), $"Gradient flow against lag: {task}");
    Console.WriteLine($"wrote {csv} and {Path.Combine(outDir, "gradient-flow.html")}");
    return 0;
}));
root.Subcommands.Add(flow);

var chart = new Command("chart", "Rebuild results.html from results.csv and print the Markdown summary table.");
chart.Options.Add(outOption);
chart.SetAction(parse => Cli.Guard(() =>
{
    var outDir = parse.GetValue(outOption)!;
    var csv = Path.Combine(outDir, "results.csv");
    if (!File.Exists(csv)) throw new FileNotFoundException($"No results in '{csv}'. Hint: run a task command with --out {outDir} first.");
    Console.Write(ResultsFile.Summary(ResultsFile.Read(csv)));
    Console.WriteLine($"chart: {ResultsFile.WriteChartPage(csv, Path.Combine(outDir, "results.html"))}");
    return 0;
}));
root.Subcommands.Add(chart);

var parsed = root.Parse(args);
// System.CommandLine would print every parse error and then the whole help page (exit 1); the house rule is one line.
if (parsed.Errors.Count > 0) return Cli.ParseError(parsed.Errors.Select(e => e.Message), args, root.Subcommands.Select(c => c.Name));
return await parsed.InvokeAsync();

LongGapTask TaskByName(string name)
    => tasks.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase)) is { Name: not null } t ? t.Task
        : throw new ArgumentException($"Unknown task '{name}'. Known: {string.Join(", ", tasks.Select(x => x.Name))}.");

int[] Lags(ParseResult parse, LongGapTask task)
{
    var lags = parse.GetValue(lagOption);
    return lags is { Length: > 0 } ? lags : [TaskGenerators.DefaultLag(task)];
}

ModelConfig Config(ParseResult parse, ModelKind kind, LstmVariant variant) => new ModelConfig(kind)
{
    HiddenSize = kind == ModelKind.Guess ? parse.GetValue(guessHiddenOption) : parse.GetValue(hiddenOption),
    Variant = variant,
    InputGateBias = parse.GetValue(inputBiasOption),
    GuessRange = parse.GetValue(guessRangeOption),
    Hmm = new HmmTrainingOptions(States: parse.GetValue(hmmStatesOption), MaxIterations: parse.GetValue(hmmIterationsOption), Restarts: parse.GetValue(hmmRestartsOption)),
};

int RunMany(ParseResult parse, LongGapTask task, IReadOnlyList<ModelConfig> models, CancellationToken token)
{
    var options = new ExperimentOptions
    {
        Budget = parse.GetValue(budgetOption),
        LearningRate = parse.GetValue(lrOption),
        Optimizer = parse.GetValue(optimizerOption),
        Momentum = parse.GetValue(momentumOption),
        BatchSize = parse.GetValue(batchOption),
        ChunkSize = parse.GetValue(chunkOption),
        GradientClip = parse.GetValue(clipOption),
        Anneal = !parse.GetValue(noAnnealOption),
        AnnealWindow = parse.GetValue(annealWindowOption),
        AnnealFloor = parse.GetValue(annealFloorOption),
        TimeLimit = parse.GetValue(minutesOption) is double m ? Cli.Minutes(m) : null,
        HmmTrainingSequences = parse.GetValue(hmmSequencesOption),
        CriterionWindow = parse.GetValue(windowOption),
        TestSize = parse.GetValue(testSizeOption),
        CheckEvery = parse.GetValue(checkEveryOption),
    };
    // Everything is checked before the first run starts: a bad argument costs one line, never a half-finished sweep.
    options.Validate();
    foreach (var model in models) model.Validate();
    int seeds = Cli.Positive(parse.GetValue(seedsOption), "--seeds");
    int parallel = Cli.Positive(parse.GetValue(parallelOption), "--parallel");
    var generators = Lags(parse, task).Select(lag => TaskGenerators.Create(task, lag, parse.GetValue(alphabetOption), parse.GetValue(informativeOption), parse.GetValue(nSeqOption))).ToList();
    foreach (var model in models)
        foreach (var g in generators) Cli.CheckSupported(g, model);
    var runs = new List<(TaskGenerator Task, ModelConfig Model, long Seed)>();
    foreach (var generator in generators)
        foreach (var model in models)
            for (int s = 0; s < seeds; s++) runs.Add((generator, model, parse.GetValue(firstSeedOption) + s));
    var csv = Cli.ResultsCsv(parse.GetValue(outOption)!);
    var outDir = Path.GetDirectoryName(csv)!;
    var gate = new object();
    var results = new List<ExperimentResult>();
    Console.WriteLine($"{runs.Count} run(s) of {task}; results → {csv}");
    try
    {
        Parallel.ForEach(runs, new ParallelOptions { MaxDegreeOfParallelism = parallel, CancellationToken = token }, run =>
        {
            var result = LongGapExperiments.Run(run.Task, run.Model, options, run.Seed, Cli.Progress(gate), token);
            lock (gate)
            {
                results.Add(result);
                ResultsFile.Append(csv, [result]);
                Console.WriteLine(FormattableString.Invariant(
                    $"DONE {result.Task} lag {result.Lag} {result.Setting} {result.Model} seed {result.Seed}: {result.Outcome}, sequences before the criterion held {Cli.Count(result.SequencesBeforeCriterion)} (with the window {Cli.Count(result.SequencesToCriterion)}), test: {result.TestErrorRate:P2} fail the criterion, accuracy {result.TestAccuracy:P1} (chance {result.ChanceAccuracy:P1}), {result.WallTime.TotalSeconds:F1} s"));
            }
        });
    }
    catch (AggregateException e) when (e.InnerExceptions.Count > 0)
    {
        // Parallel.ForEach wraps a run's failure; report the run's own message.
        throw e.InnerExceptions[0];
    }
    Console.WriteLine($"chart: {ResultsFile.WriteChartPage(csv, Path.Combine(outDir, "results.html"))}");
    return results.All(r => r.Outcome != RunOutcome.Diverged) ? 0 : 1;
}

/// <summary>Command-line plumbing: one clear line and a non-zero exit for every refused input, never a stack trace.</summary>
static class Cli
{
    public const int BadInput = 2, Cancelled = 130, Internal = 70;

    public static int Guard(Func<int> action)
    {
        try { return action(); }
        catch (OperationCanceledException) { Console.Error.WriteLine("cancelled; finished runs are in the CSV."); return Cancelled; }
        catch (Exception e) when (e is ArgumentException or InvalidDataException or IOException or UnauthorizedAccessException
                                      or NotSupportedException or FormatException or InvalidOperationException or OverflowException)
        {
            Console.Error.WriteLine($"error: {OneLine(e)}");
            return BadInput;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"internal error ({e.GetType().Name}): {OneLine(e)} — please report it with the command line.");
            return Internal;
        }
    }

    /// <summary>The message alone: .NET appends " (Parameter 'x')" and "Actual value was …" on lines of their own.</summary>
    public static string OneLine(Exception e)
    {
        string message = e.Message.Split('\n')[0].TrimEnd('\r');
        if (e is ArgumentException { ParamName: { } name }) message = message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal);
        return message;
    }

    /// <summary>The parse errors as one line ("command missing" only when nothing more specific was found), with the
    /// help to read: the command's when the first argument names one, else the list of commands.</summary>
    public static int ParseError(IEnumerable<string> messages, string[] args, IEnumerable<string> commands)
    {
        var lines = messages.Select(m => m.Split('\n')[0].Trim()).Distinct().ToList();
        if (lines.Count > 1) lines.RemoveAll(m => m.StartsWith("Required command was not provided", StringComparison.Ordinal));
        string? command = args.Length > 0 && commands.Contains(args[0]) ? args[0] : null;
        Console.Error.WriteLine($"error: {string.Join(" ", lines)} Hint: `LstmNotebooks.Experiments {(command is null ? "--help` lists the commands" : $"{command} --help` lists its options")}.");
        return BadInput;
    }

    /// <summary>The results file of an output folder, checked before the first run: a corrupt file is refused with
    /// its line and column, and a folder that cannot be written is refused now, not after an hour of training.</summary>
    public static string ResultsCsv(string outDir)
    {
        var csv = Path.GetFullPath(Path.Combine(outDir, "results.csv"));
        bool existed = File.Exists(csv);
        if (existed) ResultsFile.Read(csv);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(csv)!);
            using (new FileStream(csv, FileMode.Append, FileAccess.Write)) { }
            if (!existed) File.Delete(csv);   // the first result writes the header
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"Cannot write the results to '{csv}': {OneLine(e)} Hint: choose another --out folder.", e);
        }
        return csv;
    }

    public static int Positive(int value, string option)
        => value >= 1 ? value : throw new ArgumentOutOfRangeException(option, value, $"{option} must be at least 1, but was {value}.");

    public static TimeSpan Minutes(double minutes)
        => minutes > 0 && minutes <= TimeSpan.MaxValue.TotalMinutes ? TimeSpan.FromMinutes(minutes)
            : throw new ArgumentOutOfRangeException("--time-limit", minutes, $"--time-limit must be a positive number of minutes, but was {minutes}.");

    /// <summary>Refuses task × model pairs that cannot run (an HMM on real-valued inputs), before any run starts.</summary>
    public static void CheckSupported(TaskGenerator task, ModelConfig model)
    {
        if (model.Kind is ModelKind.Hmm or ModelKind.HmmClassifier && !task.IsSymbolic)
            throw new NotSupportedException($"{task.Task} has real-valued inputs; the discrete HMM baseline runs on the symbolic tasks only. Hint: --model lstm rnn guess.");
        if (model.Kind == ModelKind.HmmClassifier && task.Classes == 0)
            throw new NotSupportedException($"{task.Task} is not a classification task; use the predictive HMM (--model hmm).");
        if (model.Kind == ModelKind.Guess && task.Criterion.Kind == CriterionKind.FixedSet)
            throw new NotSupportedException($"{task.Task} trains on a fixed set; random guessing runs on the stream and check-set tasks.");
    }

    public static string Count(long? n) => n?.ToString("N0", CultureInfo.InvariantCulture) ?? "—";

    public static IProgress<ExperimentProgress> Progress(object? gate = null) => new SyncProgress(p =>
    {
        lock (gate ?? new object())
            Console.WriteLine(FormattableString.Invariant(
                $"  [{p.Task} lag {p.Lag} {p.Model} seed {p.Seed}] {p.Sequences,9:N0}/{p.Budget:N0}  window {p.WindowFilled - p.WindowErrors}/{p.WindowFilled} right  loss {p.TrainLoss:G4}  {p.Elapsed:hh\\:mm\\:ss}"));
    });
}

/// <summary>Calls back on the reporting thread (Progress&lt;T&gt; would post to the thread pool out of order).</summary>
sealed class SyncProgress(Action<ExperimentProgress> report) : IProgress<ExperimentProgress>
{
    public void Report(ExperimentProgress value) => report(value);
}
