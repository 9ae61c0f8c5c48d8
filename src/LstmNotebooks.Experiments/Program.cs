using System.CommandLine;
using System.Globalization;
using LstmNotebooks;
using LstmNotebooks.Experiments;
using LstmNotebooks.Plotting;

var lagOption = new Option<int[]>("--lag", "--length", "-T", "-q", "-N")
{
    Description = "Lag(s): p (2a), q (2c), T (adding, multiplication), L (temporal-order, paper 40), N (remember-first). Several allowed.",
    AllowMultipleArgumentsPerToken = true,
};
var seedsOption = new Option<int>("--seeds") { Description = "Seeds per configuration (1, 2, …).", DefaultValueFactory = _ => 1 };
var firstSeedOption = new Option<int>("--first-seed") { Description = "First seed.", DefaultValueFactory = _ => 1 };
var modelOption = new Option<ModelKind[]>("--model")
{
    Description = "lstm, rnn, hmm (predictive), hmmclassifier (one HMM per class). Several allowed.",
    AllowMultipleArgumentsPerToken = true,
    DefaultValueFactory = _ => [ModelKind.Lstm],
};
var budgetOption = new Option<long>("--budget") { Description = "Training sequences at most per run.", DefaultValueFactory = _ => 200_000 };
var hiddenOption = new Option<int>("--hidden") { Description = "Hidden units (LSTM and RNN).", DefaultValueFactory = _ => 16 };
var lrOption = new Option<double>("--lr") { Description = "Learning rate (Adam or SGD).", DefaultValueFactory = _ => 0.01 };
var batchOption = new Option<int>("--batch") { Description = "Mini-batch size.", DefaultValueFactory = _ => 8 };
var chunkOption = new Option<int>("--chunk") { Description = "Fresh sequences per training round, at most (rounds double from --initial-chunk).", DefaultValueFactory = _ => 4096 };
var initialChunkOption = new Option<int>("--initial-chunk") { Description = "Sequences in the first round.", DefaultValueFactory = _ => 256 };
var optimizerOption = new Option<OptimizerKind>("--optimizer") { Description = "adam (default) or sgd (the paper's).", DefaultValueFactory = _ => OptimizerKind.Adam };
var momentumOption = new Option<double>("--momentum") { Description = "SGD momentum." };
var noAnnealOption = new Option<bool>("--no-anneal") { Description = "Keep the learning rate constant (no annealing as the stream error falls)." };
var chunkMemoryOption = new Option<int>("--max-chunk-mb") { Description = "Memory cap of one round's dense inputs, in MB.", DefaultValueFactory = _ => 1024 };
var clipOption = new Option<double>("--clip") { Description = "Global gradient-norm clip.", DefaultValueFactory = _ => 1.0 };
var inputBiasOption = new Option<double?>("--input-gate-bias") { Description = "Initial input-gate bias (LSTM)." };
var minutesOption = new Option<double?>("--time-limit") { Description = "Minutes per run at most." };
var alphabetOption = new Option<int?>("--alphabet") { Description = "Exp. 2c: p, the number of distractor symbols (default p = q)." };
var hmmStatesOption = new Option<int>("--hmm-states") { Description = "HMM states (per model).", DefaultValueFactory = _ => 16 };
var hmmRestartsOption = new Option<int>("--hmm-restarts") { Description = "Baum–Welch random restarts (the most likely model is kept).", DefaultValueFactory = _ => 3 };
var hmmSequencesOption = new Option<int>("--hmm-sequences") { Description = "Baum–Welch training sequences.", DefaultValueFactory = _ => 1000 };
var hmmIterationsOption = new Option<int>("--hmm-iterations") { Description = "Baum–Welch iterations at most.", DefaultValueFactory = _ => 100 };
var windowOption = new Option<int?>("--window") { Description = "Criterion window (default: the paper's, e.g. 10,000 for 2a/2c)." };
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

var root = new RootCommand("Long-gap experiments of Hochreiter & Schmidhuber (1997): LSTM against a vanilla RNN and HMMs.");
var tasks = new (string Name, LongGapTask Task, string Help)[]
{
    ("reber", LongGapTask.EmbeddedReber, "Exp. 1: embedded Reber grammar (next-symbol prediction)."),
    ("2a", LongGapTask.NoiseFreeLongLag, "Exp. 2a: noise-free long lag, p+1 symbols."),
    ("2c", LongGapTask.LongLagWithDistractors, "Exp. 2c: very long lag with distractors (q, p)."),
    ("adding", LongGapTask.Adding, "Exp. 4: the adding problem (length T)."),
    ("multiplication", LongGapTask.Multiplication, "Exp. 5: the multiplication problem (length T)."),
    ("temporal-order", LongGapTask.TemporalOrder, "Exp. 6a: temporal order (L = 40 is the paper's)."),
    ("remember-first", LongGapTask.RememberFirst, "Remember the first symbol and output it after N steps."),
};

Option[] common = [lagOption, seedsOption, firstSeedOption, budgetOption, hiddenOption, lrOption, batchOption, chunkOption, initialChunkOption, chunkMemoryOption, clipOption,
    inputBiasOption, optimizerOption, momentumOption, noAnnealOption, minutesOption, alphabetOption, hmmStatesOption, hmmRestartsOption, hmmSequencesOption, hmmIterationsOption, windowOption, testSizeOption, parallelOption, outOption];

foreach (var (name, task, help) in tasks)
{
    var command = new Command(name, help) { modelOption, variantOption };
    foreach (var o in common) command.Options.Add(o);
    command.SetAction((parse, token) => Task.FromResult(RunMany(parse, task, [.. parse.GetValue(modelOption)!.Select(k => Config(parse, k, parse.GetValue(variantOption)))], token)));
    root.Subcommands.Add(command);
}

var taskArgument = new Argument<string>("task") { Description = "Task name: " + string.Join(", ", tasks.Select(t => t.Name)) };
var ablation = new Command("ablation", "LSTM variants on one task: the 1997 cell without forget gate, forget bias 0/1/5, peepholes.") { taskArgument, variantsOption };
foreach (var o in common) ablation.Options.Add(o);
ablation.SetAction((parse, token) =>
{
    var task = TaskByName(parse.GetValue(taskArgument)!);
    return Task.FromResult(RunMany(parse, task, [.. parse.GetValue(variantsOption)!.Select(v => Config(parse, ModelKind.Lstm, v))], token));
});
root.Subcommands.Add(ablation);

var flow = new Command("gradient-flow", "‖∂L/∂c_t‖ (LSTM variants) and ‖∂L/∂h_t‖ (RNN) against lag, at initialisation.") { taskArgument };
flow.Options.Add(lagOption);
flow.Options.Add(hiddenOption);
flow.Options.Add(firstSeedOption);
flow.Options.Add(outOption);
flow.SetAction(parse =>
{
    var task = TaskByName(parse.GetValue(taskArgument)!);
    var lags = Lags(parse, task);
    var points = GradientFlowStudy.Measure(task, lags, GradientFlowStudy.DefaultModels(parse.GetValue(hiddenOption)), parse.GetValue(firstSeedOption));
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
});
root.Subcommands.Add(flow);

var chart = new Command("chart", "Rebuild results.html from results.csv and print the Markdown summary table.");
chart.Options.Add(outOption);
chart.SetAction(parse =>
{
    var outDir = parse.GetValue(outOption)!;
    var csv = Path.Combine(outDir, "results.csv");
    if (!File.Exists(csv))
    {
        Console.Error.WriteLine($"error: no results in '{csv}'. Hint: run a task command with --out {outDir} first.");
        return 2;
    }
    Console.Write(ResultsFile.Summary(ResultsFile.Read(csv)));
    Console.WriteLine($"chart: {ResultsFile.WriteChartPage(csv, Path.Combine(outDir, "results.html"))}");
    return 0;
});
root.Subcommands.Add(chart);

return await root.Parse(args).InvokeAsync();

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
    HiddenSize = parse.GetValue(hiddenOption),
    Variant = variant,
    InputGateBias = parse.GetValue(inputBiasOption),
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
        InitialChunkSize = parse.GetValue(initialChunkOption),
        MaxChunkBytes = parse.GetValue(chunkMemoryOption) * (1L << 20),
        GradientClip = parse.GetValue(clipOption),
        Anneal = !parse.GetValue(noAnnealOption),
        TimeLimit = parse.GetValue(minutesOption) is double m ? TimeSpan.FromMinutes(m) : null,
        HmmTrainingSequences = parse.GetValue(hmmSequencesOption),
        CriterionWindow = parse.GetValue(windowOption),
        TestSize = parse.GetValue(testSizeOption),
    };
    int alphabet = parse.GetValue(alphabetOption) ?? 0;
    var runs = new List<(int Lag, ModelConfig Model, long Seed)>();
    foreach (int lag in Lags(parse, task))
        foreach (var model in models)
            for (int s = 0; s < parse.GetValue(seedsOption); s++) runs.Add((lag, model, parse.GetValue(firstSeedOption) + s));
    var outDir = parse.GetValue(outOption)!;
    var csv = Path.Combine(outDir, "results.csv");
    var gate = new object();
    var results = new List<ExperimentResult>();
    Console.WriteLine($"{runs.Count} run(s) of {task}; results → {csv}");
    try
    {
        Parallel.ForEach(runs, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parse.GetValue(parallelOption)), CancellationToken = token }, run =>
        {
            var progress = new SyncProgress(p =>
            {
                lock (gate)
                    Console.WriteLine(FormattableString.Invariant(
                        $"  [{p.Task} lag {p.Lag} {p.Model} seed {p.Seed}] {p.Sequences,9:N0}/{p.Budget:N0} seqs  window {p.WindowFilled - p.WindowErrors}/{p.WindowFilled} right  loss {p.TrainLoss:G4}  {p.Elapsed:hh\\:mm\\:ss}"));
            });
            var result = LongGapExperiments.Run(TaskGenerators.Create(task, run.Lag, alphabet > 0 ? alphabet : null), run.Model, options, run.Seed, progress, token);
            lock (gate)
            {
                results.Add(result);
                ResultsFile.Append(csv, [result]);
                Console.WriteLine(FormattableString.Invariant(
                    $"DONE {result.Task} lag {result.Lag} {result.Model} seed {result.Seed}: {result.Outcome}, sequences to criterion {result.SequencesToCriterion?.ToString("N0", CultureInfo.InvariantCulture) ?? ResultsFile.NotSolved}, test: {result.TestErrorRate:P2} fail the criterion, accuracy {result.TestAccuracy:P1} (chance {result.ChanceAccuracy:P1}), {result.WallTime.TotalSeconds:F1} s"));
            }
        });
    }
    catch (OperationCanceledException)
    {
        Console.Error.WriteLine("cancelled; finished runs are in the CSV.");
        return 130;
    }
    catch (NotSupportedException e)
    {
        Console.Error.WriteLine($"error: {e.Message}");
        return 2;
    }
    Console.WriteLine($"chart: {ResultsFile.WriteChartPage(csv, Path.Combine(outDir, "results.html"))}");
    return results.All(r => r.Outcome != RunOutcome.Diverged) ? 0 : 1;
}

/// <summary>Calls back on the reporting thread (Progress&lt;T&gt; would post to the thread pool out of order).</summary>
sealed class SyncProgress(Action<ExperimentProgress> report) : IProgress<ExperimentProgress>
{
    public void Report(ExperimentProgress value) => report(value);
}
