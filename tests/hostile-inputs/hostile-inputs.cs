#:project ../../src/LstmNotebooks.Data/LstmNotebooks.Data.csproj
#:property Nullable=disable
#:property TreatWarningsAsErrors=false
#:property NoWarn=CS8632;CS0618;CS8625;CS8600;CS8602;CS8604
// Hostile-user probe of the LstmNotebooks core and Data public API (issue 11): each probe is one bad input (or a fault)
// with the outcome a serious library should give. Prints one line per probe and a count per outcome class:
//   CLEAR    refused with a specific message (the house style: what is wrong, expected vs actual; the bad value named)
//   CORRECT  a hostile but legitimate input handled correctly
//   VAGUE    refused, but with a .NET default message or without naming the bad value
//   CRASH    an unrelated exception (NullReference, IndexOutOfRange, Overflow, OutOfMemory, DivideByZero, Format, …)
//   ACCEPTED accepted what should be refused;  SILENT  a wrong result without an error;  HANG  no answer in time
// The classes are judged by the rules in Classify; the messages are printed so a reader can judge them too.
// Run from the repository root: dotnet run tests/hostile-inputs/hostile-inputs.cs [area or part of a probe name]
// It takes a few minutes, allocates a few hundred MB at most, and writes only under the temp folder.
using System.Diagnostics;
using System.Reflection;
using System.Security.Cryptography;
using LstmNotebooks;
using LstmNotebooks.Data;
using Microsoft.Data.Analysis;

var results = new List<(string Area, string Name, string Outcome, string Detail)>();
string only = args.Length > 0 ? args[0] : null;

var m3 = Lstm.Create(3, 4).WithSeed(1).WithHead(Head.Regression()).Build<double>();
var m1 = Lstm.Create(1, 4).WithSeed(1).WithHead(Head.Regression()).Build<double>();
var m1f = Lstm.Create(1, 4).WithSeed(1).WithHead(Head.Regression()).Build<float>();
var gru = Gru.Create(1, 4).WithSeed(1).WithHead(Head.Regression()).Build<double>();
Sequence<double> Seq(int steps, int features) => Sequence.FromFlat<double>(Enumerable.Range(0, steps * features).Select(i => Math.Sin(i)).ToArray(), steps, features);
var s5 = Seq(5, 1);
var data1 = Dataset.Create(Enumerable.Range(0, 8).Select(i => Sample.Create(Seq(6, 1), 0.5 * Math.Cos(i))));
var data1f = Dataset.Create(Enumerable.Range(0, 8).Select(i => Sample.Create(Sequence.FromFlat<float>(Enumerable.Range(0, 6).Select(t => (float)Math.Sin(t + i)).ToArray(), 6, 1), (float)Math.Cos(i))));
bool FiniteF(Model<float> m) => m.Parameters.ToArray().All(float.IsFinite);
var trace = m1.Trace(s5);

string[] bclDefaults =
[
    "Index was out of range", "Specified argument was out of the range", "Object reference", "Arithmetic operation resulted",
    "Input string was not in a correct format", "Sequence contains no elements", "Non-negative number required",
    "Value cannot be null", "Array dimensions exceeded", "Attempted to divide by zero", "Count cannot be less than zero",
    "The value cannot be an empty string", "Could not find a part of the path", "Destination array was not long enough",
    "Offset and length were out of bounds", "must be less than or equal to the size of the collection",
];
Type[] crashTypes =
[
    typeof(NullReferenceException), typeof(IndexOutOfRangeException), typeof(OutOfMemoryException), typeof(InvalidCastException),
    typeof(DivideByZeroException), typeof(KeyNotFoundException), typeof(FormatException), typeof(AggregateException),
    typeof(NotImplementedException), typeof(ArrayTypeMismatchException), typeof(TypeInitializationException),
];

void Record(string area, string name, string outcome, string detail)
{
    results.Add((area, name, outcome, detail));
    Console.WriteLine($"{outcome,-9} {area,-10} {name,-62} {detail.ReplaceLineEndings(" ")[..Math.Min(detail.Length, 150)]}");
}

string Classify(Exception e, string mention)
{
    if (e is TargetInvocationException { InnerException: { } inner }) e = inner;
    var type = e.GetType();
    bool bcl = bclDefaults.Any(d => e.Message.StartsWith(d, StringComparison.Ordinal));
    if (e is ArgumentNullException && e.Message.StartsWith("Value cannot be null. (Parameter '", StringComparison.Ordinal) && mention is null) bcl = false;
    if (crashTypes.Any(t => t.IsAssignableFrom(type)) && !(type == typeof(InsufficientMemoryException))) return bcl || type != typeof(FormatException) ? "CRASH" : "VAGUE";
    if (e is OverflowException) return bcl ? "CRASH" : "CLEAR";
    if (bcl) return "VAGUE";
    if (mention is not null && !mention.Split('|').Any(m => e.Message.Contains(m, StringComparison.OrdinalIgnoreCase))) return "VAGUE";
    return "CLEAR";
}

// A bad input the library must refuse. ifAccepted: what it means when nothing is thrown (ACCEPTED or SILENT = a wrong result).
void Refuse(string area, string name, Func<object> act, string mention = null, string ifAccepted = "ACCEPTED", int timeoutSeconds = 30)
{
    if (only is not null && !name.Contains(only) && area != only) return;
    Exception error = null;
    var task = Task.Factory.StartNew(() => { try { act(); } catch (Exception e) { error = e; } }, TaskCreationOptions.LongRunning);
    if (!task.Wait(TimeSpan.FromSeconds(timeoutSeconds))) { Record(area, name, "HANG", $"no answer in {timeoutSeconds} s"); return; }
    if (error is null) { Record(area, name, ifAccepted, "no exception"); return; }
    Record(area, name, Classify(error, mention), $"{error.GetType().Name}: {error.Message}");
}

// A hostile-but-legitimate input the library must handle correctly: check returns null when right, else what was wrong.
void Behaves(string area, string name, Func<string> check, int timeoutSeconds = 60)
{
    if (only is not null && !name.Contains(only) && area != only) return;
    string verdict = null; Exception error = null;
    var task = Task.Factory.StartNew(() => { try { verdict = check(); } catch (Exception e) { error = e; } }, TaskCreationOptions.LongRunning);
    if (!task.Wait(TimeSpan.FromSeconds(timeoutSeconds))) { Record(area, name, "HANG", $"no answer in {timeoutSeconds} s"); return; }
    if (error is not null)
    {
        var c = Classify(error, null);
        Record(area, name, c == "CLEAR" ? "REFUSED" : c, $"{error.GetType().Name}: {error.Message}");
        return;
    }
    Record(area, name, verdict is null ? "CORRECT" : "SILENT", verdict ?? "ok");
}

var Adam = Training.Adam(0.01).WithEpochs(2).WithBatchSize(4);
object Train(TrainingOptions o) => m1.Train(data1, o);

// ---- ModelSpec ----------------------------------------------------------------------------------------------------
Refuse("spec", "Lstm.Create(0, 4)", () => Lstm.Create(0, 4), "0");
Refuse("spec", "ctor undefined cell (CellKind)7", () => new ModelSpec((CellKind)7, 1, 4).Build(), "7");
Refuse("spec", "with InputSize = 0", () => (Lstm.Create(1, 4) with { InputSize = 0 }).Build(), "0");
Refuse("spec", "with HiddenSize = -3", () => (Lstm.Create(1, 4) with { HiddenSize = -3 }).Build(), "-3");
Refuse("spec", "with Layers = 0", () => (Lstm.Create(1, 4) with { Layers = 0 }).Build(), "0");
Refuse("spec", "init Layers = -1", () => new ModelSpec(CellKind.Lstm, 1, 4) { Layers = -1 }.Build(), "-1");
Refuse("spec", "with ForgetBias = NaN", () => (Lstm.Create(1, 4) with { ForgetBias = double.NaN }).Build(), "NaN", "SILENT");
Refuse("spec", "with ForgetBias = +inf", () => (Lstm.Create(1, 4) with { ForgetBias = double.PositiveInfinity }).Build(), "∞|Infinity", "SILENT");
Refuse("spec", "with InputGateBias = NaN", () => (Lstm.Create(1, 4) with { InputGateBias = double.NaN }).Build(), "NaN", "SILENT");
Refuse("spec", "with Head = null", () => (Lstm.Create(1, 4) with { Head = null }).Build(), "Head");
Refuse("spec", "with Head = (HeadKind)42", () => (Lstm.Create(1, 4) with { Head = new HeadSpec((HeadKind)42, 3) }).Build().Predict(Sequence.FromScalars([1f])), "42");
Refuse("spec", "Gru with Peepholes = true", () => (Gru.Create(1, 4) with { Peepholes = true }).Build(), "Peephole");
Refuse("spec", "Gru with ForgetBias = 1", () => (Gru.Create(1, 4) with { ForgetBias = 1 }).Build(), "LSTM");
Refuse("spec", "Rnn with ForgetGate = false", () => (Rnn.Create(1, 4) with { ForgetGate = false }).Build(), "LSTM");
Refuse("spec", "Lstm.Create(1, 46341).Build() (int overflow)", () => Lstm.Create(1, 46341).Build(), "46341|46,341", "SILENT");
Refuse("spec", "Lstm.Create(1, 30000).Build<double>() (overflow)", () => Lstm.Create(1, 30000).Build<double>(), "30000|30,000", "SILENT");
Refuse("spec", "Lstm.Create(100000, 100000).Build()", () => Lstm.Create(100000, 100000).Build(), "100000|100,000", "SILENT");
Refuse("spec", "Layers = 100000, hidden 100", () => Lstm.Create(1, 100).WithLayers(100000).Build(), "100000|100,000", "SILENT");
Refuse("spec", "Lstm.Create(int.MaxValue, 1)", () => Lstm.Create(int.MaxValue, 1).Build(), "2147483647|2,147,483,647", "SILENT");
Refuse("spec", "head outputs int.MaxValue", () => Lstm.Create(1, 4).WithHead(Head.Regression(int.MaxValue)).Build(), "2147483647|2,147,483,647", "SILENT");
Refuse("spec", "WithHead(null)", () => Lstm.Create(1, 4).WithHead(null));
Refuse("spec", "WithForgetBias(NaN)", () => Lstm.Create(1, 4).WithForgetBias(double.NaN), "NaN");
Refuse("spec", "Build<Half>() (float/double only)", () => Lstm.Create(1, 4).WithHead(Head.Regression()).Build<Half>().Predict(Sequence.FromScalars([(Half)1])), "Half");
Refuse("spec", "Build<NFloat>()", () => Lstm.Create(1, 4).Build<System.Runtime.InteropServices.NFloat>(), "NFloat");

// ---- HeadSpec -----------------------------------------------------------------------------------------------------
Refuse("head", "new HeadSpec((HeadKind)42, 3)", () => new HeadSpec((HeadKind)42, 3), "42");
Refuse("head", "HeadSpec(Regression, 0) in Build", () => Lstm.Create(1, 4).WithHead(new HeadSpec(HeadKind.Regression, 0)).Build(), "0");
Refuse("head", "HeadSpec(Classification, 1)", () => Lstm.Create(1, 4).WithHead(new HeadSpec(HeadKind.Classification, 1)).Build(), "1");
Refuse("head", "HeadSpec(Regression, 2, (HeadOutput)9)", () => new HeadSpec(HeadKind.Regression, 2, (HeadOutput)9), "9");
Refuse("head", "None with { Outputs = 5 } in Build", () => Lstm.Create(1, 4).WithHead(HeadSpec.None with { Outputs = 5 }).Build(), "5");
Refuse("head", "Regression(2) with { Kind = Classification, Outputs = -1 }", () => Lstm.Create(1, 4).WithHead(Head.Regression(2) with { Outputs = -1 }).Build(), "-1");
Refuse("head", "Head.Regression(-1)", () => Head.Regression(-1), "-1");

// ---- TrainingOptions -----------------------------------------------------------------------------------------------
Refuse("options", "GradientClip = -1 (ascent)", () => Train(Adam with { GradientClip = -1 }), "-1", "SILENT");
Refuse("options", "GradientClip = 0 (trains nothing)", () => Train(Adam with { GradientClip = 0 }), "0", "SILENT");
Refuse("options", "GradientClip = NaN", () => Train(Adam with { GradientClip = double.NaN }), "NaN");
Refuse("options", "Beta1 = 1", () => Train(Adam with { Beta1 = 1 }), "1", "SILENT");
Refuse("options", "Beta1 = -0.5", () => Train(Adam with { Beta1 = -0.5 }), "-0.5");
Refuse("options", "Beta2 = 1", () => Train(Adam with { Beta2 = 1 }), "1", "SILENT");
Refuse("options", "Beta2 = NaN", () => Train(Adam with { Beta2 = double.NaN }), "NaN", "SILENT");
Refuse("options", "Epsilon = -1", () => Train(Adam with { Epsilon = -1 }), "-1");
Refuse("options", "Epsilon = NaN", () => Train(Adam with { Epsilon = double.NaN }), "NaN", "SILENT");
Refuse("options", "Epsilon = 0", () => Train(Adam with { Epsilon = 0 }), "0");
Refuse("options", "LearningRate = NaN (with)", () => Train(Adam with { LearningRate = double.NaN }), "NaN");
Refuse("options", "LearningRate = +inf (with)", () => Train(Adam with { LearningRate = double.PositiveInfinity }), "∞|Infinity");
Refuse("options", "LearningRate = -0.1 (with)", () => Train(Adam with { LearningRate = -0.1 }), "-0.1");
Refuse("options", "Momentum = 1 (SGD)", () => Train(Training.Sgd(0.01).WithEpochs(2) with { Momentum = 1 }), "1");
Refuse("options", "Momentum = -1 (SGD)", () => Train(Training.Sgd(0.01).WithEpochs(2) with { Momentum = -1 }), "-1");
Refuse("options", "Momentum with Adam (ignored)", () => Train(Adam.WithMomentum(0.9)), "Momentum");
Refuse("options", "Epochs = 0 (with)", () => Train(Adam with { Epochs = 0 }), "0");
Refuse("options", "BatchSize = -2 (with)", () => Train(Adam with { BatchSize = -2 }), "-2");
Refuse("options", "TruncationWindow = 0", () => Train(Adam with { TruncationWindow = 0 }), "0", timeoutSeconds: 20);
Refuse("options", "TruncationWindow = -5", () => Train(Adam with { TruncationWindow = -5 }), "-5", timeoutSeconds: 20);
Refuse("options", "Threads = 0", () => Train(Adam with { Threads = 0 }), "0");
Refuse("options", "Threads = -1", () => Train(Adam with { Threads = -1 }), "-1");
Refuse("options", "Threads = 65", () => Train(Adam with { Threads = 65 }), "65");
Refuse("options", "ValidationFraction = 1.5", () => Train(Adam with { ValidationFraction = 1.5 }), "1.5");
Refuse("options", "ValidationFraction = -0.2", () => Train(Adam with { ValidationFraction = -0.2 }), "-0.2");
Refuse("options", "ValidationFraction = NaN", () => Train(Adam with { ValidationFraction = double.NaN }), "NaN");
Refuse("options", "EarlyStoppingPatience = 0", () => Train(Adam.WithValidationSplit(0.25) with { EarlyStoppingPatience = 0 }), "0");
Refuse("options", "DecayEvery = 0", () => Train(Adam with { DecayEvery = 0 }), "0");
Refuse("options", "DecayEvery = -1", () => Train(Adam with { DecayEvery = -1 }), "-1");
Refuse("options", "DecayFactor = 0 (lr 0 later)", () => Train(Adam.WithLearningRateDecay(1, 0.5) with { DecayFactor = 0 }), "0", "SILENT");
Refuse("options", "DecayFactor = NaN", () => Train(Adam.WithLearningRateDecay(1, 0.5) with { DecayFactor = double.NaN }), "NaN", "SILENT");
Refuse("options", "Optimizer = (OptimizerKind)9", () => Train(Adam with { Optimizer = (OptimizerKind)9 }), "9", "SILENT");
Refuse("options", "Training.Adam(beta1: 1)", () => Training.Adam(beta1: 1), "1");
Refuse("options", "Training.Sgd(momentum: 1)", () => Training.Sgd(momentum: 1), "1");
Refuse("options", "WithThreads(0)", () => Training.Adam().WithThreads(0), "0");
Refuse("options", "EarlyStopping without validation", () => Train(Adam.WithEarlyStopping(2)), "validation");
Behaves("options", "Epochs = int.MaxValue with early stopping runs", () =>
{
    var r = m1.Train(data1, Adam.WithValidationSplit(0.25).WithEarlyStopping(1) with { Epochs = int.MaxValue });
    return r.History.Epochs.Count >= 1 ? null : $"ran {r.History.Epochs.Count} epochs";
});
Behaves("options", "session.Train(epochs: int.MaxValue) with early stopping", () =>
{
    var s = m1.StartTraining(Adam.WithValidationSplit(0.25).WithEarlyStopping(1));
    var r = s.Train(data1, epochs: int.MaxValue);
    return r.History.Epochs.Count >= 1 ? null : $"ran {r.History.Epochs.Count} epochs";
});

// ---- Model entry points -------------------------------------------------------------------------------------------
Refuse("model", "Predict((Sequence)null)", () => m1.Predict((Sequence<double>)null));
Refuse("model", "Predict((list)null)", () => m1.Predict((IReadOnlyList<Sequence<double>>)null));
Refuse("model", "Predict([null])", () => m1.Predict(new Sequence<double>[] { null }), "0");
Refuse("model", "Predict([seq, null])", () => m1.Predict(new[] { s5, null }), "1");
Refuse("model", "Predict(list, batchSize: 0)", () => m1.Predict(new[] { s5 }, 0), "0");
Refuse("model", "Run(null)", () => m1.Run(null));
Refuse("model", "Trace(seq, (Intervention[])null)", () => m1.Trace(s5, (Intervention[])null), "interventions");
Refuse("model", "Trace(seq, [null])", () => m1.Trace(s5, new Intervention[] { null }), "0");
Refuse("model", "Trace(null)", () => m1.Trace(null));
Refuse("model", "Loss(null)", () => m1.Loss(null));
Refuse("model", "GradientFlow(null)", () => m1.GradientFlow(null));
Refuse("model", "Train(null, options)", () => m1.Train(null, Adam));
Refuse("model", "Train(data, null)", () => m1.Train(data1, null));
Refuse("model", "StartTraining(null)", () => m1.StartTraining(null));
Refuse("model", "Parameter(null)", () => m1.Parameter(null), "name");
Refuse("model", "Parameter(\"nope\")", () => m1.Parameter("nope"), "nope");
Refuse("model", "WithParameter(bias, null)", () => m1.WithParameter("bias_ih_l0", null), "null");
Refuse("model", "WithParameter(bias, wrong length)", () => m1.WithParameter("bias_ih_l0", new double[3]), "16");
Refuse("model", "WithParameters(null)", () => m1.WithParameters(null));
Refuse("model", "WithParameter(bias, NaN)", () => m1.WithParameter("bias_ih_l0", Enumerable.Repeat(double.NaN, 16).ToArray()), "NaN");
Refuse("model", "ConvertTo<float> of 1e300", () => m1.WithParameter("bias_ih_l0", Enumerable.Repeat(1e300, 16).ToArray()).ConvertTo<float>(), "1E+300|1e300|1E300", "SILENT");
Refuse("model", "ConvertTo<Half>()", () => m1.ConvertTo<Half>(), "Half");
Refuse("model", "Run with wrong-shape state", () => m1.Run(SequenceBatch.Create([s5]), RecurrentState<double>.Zeros(2, 1, 4, true)), "layers");
Refuse("model", "Run GRU with a cell state", () => gru.Run(SequenceBatch.Create([s5]), RecurrentState<double>.Zeros(1, 1, 4, true)), "cell");
Refuse("model", "Backpropagate wrong dOutput length", () => m1.Backpropagate(SequenceBatch.Create([s5]), null, new double[3], default, default), "3");
Refuse("model", "Predict wrong feature count", () => m3.Predict(Seq(4, 5)), "5");
Refuse("model", "Train targets wider than head", () => m1.Train(Dataset.Create([Sample.Create(Seq(2, 1), 1.0, 2.0)]), Adam), "2");
Refuse("model", "Train class label out of range", () => Lstm.Create(1, 4).WithHead(Head.Classification(3)).Build<double>().Train(Dataset.Create([Sample.Class(Seq(2, 1), 7)]), Adam), "7");
Refuse("model", "Train a head-less model", () => Lstm.Create(1, 4).Build<double>().Train(data1, Adam), "head");
Refuse("model", "Train per-step targets on a last-step head", () => m1.Train(Dataset.Create([Sample.PerStep(Seq(3, 1), Seq(3, 1))]), Adam), "3");

// ---- Model files --------------------------------------------------------------------------------------------------
string tmp = Path.Combine(Path.GetTempPath(), "v11probe-" + Environment.ProcessId);
Directory.CreateDirectory(tmp);
byte[] Saved(Model<double> m) { using var ms = new MemoryStream(); m.Save(ms); return ms.ToArray(); }
byte[] Rehash(byte[] b) { var body = b[..^32]; return [.. body, .. SHA256.HashData(body)]; }
Refuse("file", "Save((string)null)", () => { m1.Save((string)null); return null; });
Refuse("file", "Save(\"\")", () => { m1.Save(""); return null; }, "path");
Refuse("file", "Save to a missing folder", () => { m1.Save(Path.Combine(tmp, "no", "such", "m.lnb")); return null; }, "no/such|no\\such");
Refuse("file", "Save onto a folder path", () => { m1.Save(tmp); return null; }, tmp);
Refuse("file", "Save((Stream)null)", () => { m1.Save((Stream)null); return null; });
Refuse("file", "Load<double>(null)", () => Model.Load<double>((string)null));
Refuse("file", "Load<double>(\"\")", () => Model.Load<double>(""), "path|file");
Refuse("file", "Load a folder", () => Model.Load<double>(tmp), tmp);
Refuse("file", "Load<Half>(stream)", () => Model.Load<Half>(new MemoryStream(Saved(m1))), "Half");
Refuse("file", "Load<float> of a double file", () => Model.Load<float>(new MemoryStream(Saved(m1))), "double");
Refuse("file", "Load file with NaN forget bias (valid hash)", () =>
{
    var b = Saved(Lstm.Create(1, 4).WithForgetBias(1).Build<double>());
    BitConverter.GetBytes(double.NaN).CopyTo(b, 8 + 2 + 1 + 1 + 12 + 1); // magic, version, size, cell, 3×i32, has-bias
    return Model.Load<double>(new MemoryStream(Rehash(b)));
}, "NaN", "SILENT");
Refuse("file", "Load file with NaN weight (valid hash)", () =>
{
    var b = Saved(m1);
    BitConverter.GetBytes(double.NaN).CopyTo(b, b.Length - 32 - 8);
    return Model.Load<double>(new MemoryStream(Rehash(b)));
}, "NaN");
Refuse("file", "Load file with hidden 46341 in header (valid hash)", () =>
{
    var b = Saved(m1);
    BitConverter.GetBytes(46341).CopyTo(b, 8 + 2 + 1 + 1 + 4);
    return Model.Load<double>(new MemoryStream(Rehash(b)));
}, "46341|46,341");
Refuse("file", "Load file with cell 9 (valid hash)", () => { var b = Saved(m1); b[11] = 9; return Model.Load<double>(new MemoryStream(Rehash(b))); }, "9");
Refuse("file", "Load file with count 2^62 (valid hash)", () =>
{
    var b = Saved(m1);
    int countAt = b.Length - 32 - 8 * m1.ParameterCount - 8;
    BitConverter.GetBytes(1L << 62).CopyTo(b, countAt);
    return Model.Load<double>(new MemoryStream(Rehash(b)));
}, "4611686018427387904|declares");
Refuse("file", "Load of 3 bytes", () => Model.Load<double>(new MemoryStream([1, 2, 3])), "LSTMNBMD");
Refuse("file", "Inspect(null)", () => ModelFile.Inspect(null));
Behaves("file", "two threads save the same path at once (40 rounds)", () =>
{
    string path = Path.Combine(tmp, "race.lnb");
    m1.Save(path);
    var other = m1.WithParameter("bias_ih_l0", Enumerable.Repeat(0.25, 16).ToArray());
    var problems = new List<string>();
    for (int round = 0; round < 40; round++)
    {
        var errors = new Exception[3];
        var go = new Barrier(3);
        var ts = new[]
        {
            new Thread(() => { go.SignalAndWait(); try { m1.Save(path); } catch (Exception e) { errors[0] = e; } }),
            new Thread(() => { go.SignalAndWait(); try { other.Save(path); } catch (Exception e) { errors[1] = e; } }),
            new Thread(() => { go.SignalAndWait(); try { for (int i = 0; i < 5; i++) Model.Load<double>(path); } catch (Exception e) { errors[2] = e; } }),
        };
        foreach (var t in ts) t.Start();
        foreach (var t in ts) t.Join();
        foreach (var e in errors.Where(e => e is not null)) problems.Add($"{e.GetType().Name}: {e.Message}");
        try { Model.Load<double>(path); } catch (Exception e) { problems.Add("after: " + e.Message); }
    }
    var leftovers = Directory.GetFiles(tmp).Where(f => f.Contains("race") && !f.EndsWith("race.lnb")).ToArray();
    if (leftovers.Length > 0) problems.Add($"{leftovers.Length} temp files left");
    return problems.Count == 0 ? null : $"{problems.Count} problems: {problems[0]}";
});

// ---- Trace, results and state indexers -------------------------------------------------------------------------------
Refuse("index", "trace[0][c, step 2, unit 4] (4 units)", () => trace[0][TraceChannel.CellState, 2, 4], "4", "SILENT");
Refuse("index", "trace[0][c, step 5 (of 5), 0]", () => trace[0][TraceChannel.CellState, 5, 0], "5");
Refuse("index", "trace[0][c, -1, 0]", () => trace[0][TraceChannel.CellState, -1, 0], "-1");
Refuse("index", "trace[0][c, last step, unit 4]", () => trace[0][TraceChannel.CellState, 4, 4], "4");
Refuse("index", "trace[5] (1 layer)", () => trace[5], "5");
Refuse("index", "trace[0].Series(c, unit 4)", () => trace[0].Series(TraceChannel.CellState, 4), "4", "SILENT");
Refuse("index", "trace[0].Series(c, unit -1)", () => trace[0].Series(TraceChannel.CellState, -1), "-1");
Refuse("index", "trace[0][(TraceChannel)99, 0, 0]", () => trace[0][(TraceChannel)99, 0, 0], "99");
Refuse("index", "GRU trace[0][CellState, 0, 0]", () => gru.Trace(s5)[0][TraceChannel.CellState, 0, 0], "CellState");
Refuse("index", "trace[0].UnitByStep((TraceChannel)99)", () => trace[0].UnitByStep((TraceChannel)99), "99");
Refuse("index", "GradientFlow.HiddenNorms(5)", () => m1.GradientFlow(data1[0]).HiddenNorms(5), "5");
Refuse("index", "GradientFlow.CellNorms(-1)", () => m1.GradientFlow(data1[0]).CellNorms(-1), "-1");
Refuse("index", "RunResult.LastOutputs(5) (batch 1)", () => m1.Run(SequenceBatch.Create([s5])).LastOutputs(5), "5");
Refuse("index", "RunResult.LastOutputs(-1)", () => m1.Run(SequenceBatch.Create([s5])).LastOutputs(-1), "-1");
var two = Lstm.Create(1, 4).WithLayers(2).Build<double>();
Refuse("index", "state.HiddenOf(0, sample 1) (batch 1)", () => two.Run(SequenceBatch.Create([s5])).FinalState.HiddenOf(0, 1).ToArray(), "1", "SILENT");
Refuse("index", "state.HiddenOf(layer 2) (2 layers)", () => two.Run(SequenceBatch.Create([s5])).FinalState.HiddenOf(2, 0).ToArray(), "2");
Refuse("index", "state.CellOf(-1, 0)", () => two.Run(SequenceBatch.Create([s5])).FinalState.CellOf(-1, 0).ToArray(), "-1");
Refuse("index", "dataset[8] (of 8)", () => data1[8], "8");
Refuse("index", "dataset.Slice(1, int.MaxValue)", () => data1.Slice(1, int.MaxValue), "2147483647|2,147,483,647");
Refuse("index", "dataset.Slice(-1, 1)", () => data1.Slice(-1, 1), "-1");
Refuse("index", "gradients.Parameter(null)", () => m1.Backpropagate(SequenceBatch.Create([s5]), null, default, default, default).Parameter(null).ToArray(), "name");

// ---- Interventions --------------------------------------------------------------------------------------------------
Refuse("intervene", "ClampGate unit 9 (4 units)", () => m1.Trace(s5, Intervention.ClampGate(Gate.Output, 9, 0)), "9");
Refuse("intervene", "layer 3 (1 layer)", () => m1.Trace(s5, Intervention.ClampGate(Gate.Output, 0, 0, layer: 3)), "3");
Refuse("intervene", "SetCellState at step 100 of 5", () => m1.Trace(s5, Intervention.SetCellState(0, 100, 1)), "100", "SILENT");
Refuse("intervene", "ClampGate fromStep -1", () => m1.Trace(s5, Intervention.ClampGate(Gate.Forget, 0, 0, fromStep: -1)), "-1");
Refuse("intervene", "(InterventionKind)9", () => m1.Trace(s5, new Intervention((InterventionKind)9, 0, 0, 0, 0, 0)), "9", "SILENT");
Refuse("intervene", "ClampGate value NaN", () => m1.Trace(s5, Intervention.ClampGate(Gate.Forget, 0, double.NaN)), "NaN");
Refuse("intervene", "ClampGate (Gate)42", () => m1.Trace(s5, Intervention.ClampGate((Gate)42, 0, 0)), "42");
Refuse("intervene", "ClampGate forget gate to 5 (outside [0,1])", () => m1.Trace(s5, Intervention.ClampGate(Gate.Forget, 0, 5)), "5");
Refuse("intervene", "GRU SetCellState", () => gru.Trace(s5, Intervention.SetCellState(0, 1, 0)), "cell");
Refuse("intervene", "GRU ClampGate(Forget)", () => gru.Trace(s5, Intervention.ClampGate(Gate.Forget, 0, 0)), "Forget");
Refuse("intervene", "unit -1", () => m1.Trace(s5, Intervention.SetHiddenState(-1, 0, 0)), "-1");

// ---- Sequences, samples, batches, datasets --------------------------------------------------------------------------
Refuse("data-core", "FromFlat([], 65536, 65536) (overflow)", () => Sequence.FromFlat<double>([], 65536, 65536), "65536|65,536", "SILENT");
Refuse("data-core", "FromFlat(2 values, int.MaxValue, 2)", () => Sequence.FromFlat<double>([1, 2], int.MaxValue, 2), "2147483647|2,147,483,647");
Refuse("data-core", "OneHot([0], alphabet int.MaxValue)", () => Sequence.OneHot<double>([0], int.MaxValue), "2147483647|2,147,483,647");
Refuse("data-core", "OneHot(null, 3)", () => Sequence.OneHot<double>(null, 3));
Refuse("data-core", "OneHot([5], 3)", () => Sequence.OneHot<double>([5], 3), "5");
Refuse("data-core", "Create([[1],[2,3]])", () => Sequence.Create<double>([[1], [2, 3]]), "2");
Refuse("data-core", "Create([null])", () => Sequence.Create<double>([null]), "0");
Refuse("data-core", "Create([[1], null])", () => Sequence.Create<double>([[1], null]), "1");
Refuse("data-core", "Convert<double,float> of 1e300", () => Sequence.Convert<double, float>(Sequence.FromScalars([1.0, 1e300])), "1E+300|1e300", "SILENT");
Refuse("data-core", "Convert(null)", () => Sequence.Convert<double, float>(null));
Refuse("data-core", "seq[5, 0] (5 steps)", () => s5[5, 0], "5");
Refuse("data-core", "seq.Feature(9)", () => s5.Feature(9), "9");
Refuse("data-core", "seq.Step(-1)", () => s5.Step(-1).ToArray(), "-1");
Refuse("data-core", "FromScalars(null)", () => Sequence.FromScalars<double>(null));
Refuse("data-core", "FromScalars([NaN])", () => Sequence.FromScalars([double.NaN]), "NaN");
Refuse("data-core", "Sample.Create(null, 1.0)", () => Sample.Create<double>(null, 1.0));
Refuse("data-core", "Sample.Create(seq) (no target values)", () => Sample.Create(s5), "target");
Refuse("data-core", "Sample.Create(seq, (double[])null)", () => Sample.Create(s5, (double[])null), "target");
Refuse("data-core", "Sample.PerStep(null, t)", () => Sample.PerStep<double>(null, s5), "input");
Refuse("data-core", "Sample.PerStep(seq, null)", () => Sample.PerStep<double>(s5, null), "targets");
Refuse("data-core", "Sample.ClassPerStep(seq, null)", () => Sample.ClassPerStep<double>(s5, null), "classes");
Refuse("data-core", "sample with { Input = null }", () => Sample.Create(s5, 1.0) with { Input = null }, "Input");
Refuse("data-core", "Sample.Class(seq, -1)", () => Sample.Class(s5, -1), "-1");
Refuse("data-core", "Dataset.Create([null])", () => Dataset.Create(new Sample<double>[] { null }), "0");
Refuse("data-core", "Dataset.Create([s, null])", () => Dataset.Create(new[] { data1[0], null }), "1");
Refuse("data-core", "Dataset.Create(null)", () => Dataset.Create<double>(null));
Refuse("data-core", "Dataset.FromArrays(inputs [null])", () => Dataset.FromArrays<double>(new double[][][] { null }, new[] { new[] { 1.0 } }), "0");
Refuse("data-core", "Dataset.FromArrays(targets [null])", () => Dataset.FromArrays<double>(new[] { new[] { new[] { 1.0 } } }, new double[][] { null }), "0");
Refuse("data-core", "Dataset.FromArrays counts differ", () => Dataset.FromArrays<double>(new[] { new[] { new[] { 1.0 } } }, new double[][] { }), "1");
Refuse("data-core", "SequenceBatch.Create([null])", () => SequenceBatch.Create(new Sequence<double>[] { null }), "0");
Refuse("data-core", "SequenceBatch.Create(null)", () => SequenceBatch.Create<double>(null));
var longSeq = Sequence.FromFlat<double>(new double[60000], 60000, 1);
Refuse("data-core", "FromVariableLength 40000 × 60000 steps (overflow)", () => SequenceBatch.FromVariableLength(Enumerable.Repeat(longSeq, 40000).ToArray()), "2400000000|2,400,000,000|40000|40,000");
Refuse("data-core", "FromPadded(65536 × 65536 × 1, no values)", () => SequenceBatch.FromPadded<double>([], 65536, 65536, 1, Enumerable.Repeat(1, 65536).ToArray()), "65536|65,536", "SILENT");
Refuse("data-core", "FromPadded lengths [0]", () => SequenceBatch.FromPadded<double>([1, 2], 1, 2, 1, [0]), "0");
Refuse("data-core", "RecurrentState.Zeros(-1, 1, 4)", () => RecurrentState<double>.Zeros(-1, 1, 4, true), "-1");
Refuse("data-core", "RecurrentState.Zeros(0, 1, 4)", () => RecurrentState<double>.Zeros(0, 1, 4, true), "0");
Refuse("data-core", "RecurrentState.Zeros(65536, 65536, 1)", () => RecurrentState<double>.Zeros(65536, 65536, 1, false), "65536|65,536", "SILENT");
Refuse("data-core", "RecurrentState.Create(65536, 65536, 1, no values)", () => RecurrentState<double>.Create([], [], 65536, 65536, 1, false), "65536|65,536", "SILENT");
Refuse("data-core", "RecurrentState.Create NaN", () => RecurrentState<double>.Create([double.NaN], [], 1, 1, 1, false), "NaN");
// Inference keeps no gates or states per step (a 1M-step run of this model needs ~6 GB and runs); training keeps them all.
Refuse("data-core", "Train 1 × 1,000,000 steps on H=512 × 4 layers (74 GB of gates and states)", () =>
    Lstm.Create(1, 512).WithLayers(4).WithHead(Head.Regression()).Build()
        .Train(Dataset.Create([Sample.Create(Sequence.FromFlat<float>(new float[1_000_000], 1_000_000, 1), 0f)]), Training.Adam().WithEpochs(1)),
    "1000000|1,000,000", "SILENT", timeoutSeconds: 60);
Refuse("data-core", "Trace 2,100,000 steps on H=256 (Pre > 2^31 values)", () =>
    Lstm.Create(1, 256).Build().Trace(Sequence.FromFlat<float>(new float[2_100_000], 2_100_000, 1)), "2100000|2,100,000", "SILENT", timeoutSeconds: 60);

// ---- Training behaviour ---------------------------------------------------------------------------------------------
Behaves("training", "SGD lr 1e30 (float) overflows the weights", () =>
{
    try { var r = m1f.Train(data1f, Training.Sgd(1e30).WithEpochs(2).WithBatchSize(4)); return FiniteF(r.Model) ? "trained (finite?)" : "non-finite weights returned, no exception"; }
    catch (TrainingDivergedException e) { return e.Message.Contains("unchanged") ? null : "vague: " + e.Message; }
});
Behaves("training", "Adam lr 1e39 (float) overflows the weights", () =>
{
    try { var r = m1f.Train(data1f, Training.Adam(1e39).WithEpochs(1).WithBatchSize(4)); return FiniteF(r.Model) ? "trained (finite?)" : "non-finite weights returned, no exception"; }
    catch (TrainingDivergedException e) { return e.Message.Contains("unchanged") ? null : "vague: " + e.Message; }
});
Behaves("training", "SGD lr 1e300, one step (the last) overflows the weights", () =>
{
    try { var r = m1f.Train(data1f, Training.Sgd(1e300).WithEpochs(1).WithBatchSize(8)); return FiniteF(r.Model) ? "trained (finite?)" : "non-finite weights returned, no exception"; }
    catch (TrainingDivergedException e) { return e.Message.Contains("unchanged") ? null : "vague: " + e.Message; }
});
Behaves("training", "Adam lr 1e39, one step (the last) overflows the weights", () =>
{
    try { var r = m1f.Train(data1f, Training.Adam(1e39).WithEpochs(1).WithBatchSize(8)); return FiniteF(r.Model) ? "trained (finite?)" : "non-finite weights returned, no exception"; }
    catch (TrainingDivergedException e) { return e.Message.Contains("unchanged") ? null : "vague: " + e.Message; }
});
Behaves("training", "session after an overflowing step holds finite weights", () =>
{
    var s = m1f.StartTraining(Training.Sgd(1e300).WithEpochs(1).WithBatchSize(4));
    try { s.Train(data1f); } catch (TrainingDivergedException) { }
    return FiniteF(s.Model) ? null : "session.Model has non-finite weights";
});
Behaves("training", "divergence leaves the starting model and the session's weights finite", () =>
{
    var before = m1f.Parameters.ToArray();
    var s = m1f.StartTraining(Training.Sgd(1e30).WithEpochs(2).WithBatchSize(4));
    try { s.Train(data1f); } catch (TrainingDivergedException) { }
    if (!m1f.Parameters.SequenceEqual(before)) return "starting model changed";
    return FiniteF(s.Model) ? null : "session holds non-finite weights";
});
Behaves("training", "cancellation inside one long batch (latency)", () =>
{
    var big = Lstm.Create(1, 512).WithHead(Head.Regression()).Build();
    var seqs = Enumerable.Range(0, 16).Select(i => Sample.Create(Sequence.FromFlat<float>(Enumerable.Range(0, 500).Select(t => (float)Math.Sin(t * 0.1 + i)).ToArray(), 500, 1), 0.5f)).ToArray();
    var d = Dataset.Create(seqs);
    using var cts = new CancellationTokenSource();
    var sw = Stopwatch.StartNew();
    double cancelledAt = double.NaN;
    cts.Token.Register(() => cancelledAt = sw.Elapsed.TotalSeconds);
    cts.CancelAfter(200);
    try { big.Train(d, Training.Adam().WithEpochs(1).WithBatchSize(16), cancellationToken: cts.Token); }
    catch (OperationCanceledException) { double late = sw.Elapsed.TotalSeconds - cancelledAt; Console.WriteLine($"   cancellation latency {late * 1000:F0} ms"); return late < 2 ? null : $"cancelled {late:F2} s late"; }
    return $"not cancelled: the batch ran to the end ({sw.Elapsed.TotalSeconds - cancelledAt:F2} s after the cancel)";
}, 120);
Behaves("training", "Threads = 2 with a 1-sample dataset", () => m1.Train(Dataset.Create([data1[0]]), Adam.WithThreads(2)).Model is not null ? null : "no model");

// ---- Vocabulary, Rng ------------------------------------------------------------------------------------------------
Refuse("misc", "GateVocabulary.DefaultChannels((CellKind)9)", () => GateVocabulary.DefaultChannels((CellKind)9), "9", "SILENT");
Refuse("misc", "GateVocabulary.CellName((CellKind)9)", () => GateVocabulary.CellName((CellKind)9), "9", "SILENT");
Refuse("misc", "GateVocabulary.Symbol((TraceChannel)99)", () => GateVocabulary.Symbol((TraceChannel)99), "99");
Refuse("misc", "new Rng(1).NextInt(0)", () => { var r = new Rng(1); return r.NextInt(0); }, "0");

// ---- Data package: CSV ----------------------------------------------------------------------------------------------
Refuse("csv", "Parse ragged row (extra field)", () => Csv.Parse("a,b\n1,2\n3,4,5\n6,7\n"), "3");
Refuse("csv", "Parse short row", () => Csv.Parse("a,b,c\n1,2,3\n4,5\n6,7,8\n"), "2", "SILENT");
Refuse("csv", "Parse(\"\")", () => Csv.Parse(""), "empty");
Refuse("csv", "Parse(null)", () => Csv.Parse(null));
Behaves("csv", "Parse header only", () => Csv.Parse("a,b\n").Rows.Count == 0 ? null : "rows");
Refuse("csv", "Parse unclosed quote", () => Csv.Parse("a,b\n1,\"2\n3,4\n"), "quote");
Behaves("csv", "Parse quoted separator", () => { var f = Csv.Parse("a,b\n\"x,y\",2\n"); return (string)f.Columns["a"][0] == "x,y" ? null : $"got {f.Columns["a"][0]}"; });
string raggedPath = Path.Combine(tmp, "ragged.csv");
File.WriteAllText(raggedPath, "a,b\n1,2\n3,4,5\n");
Refuse("csv", "Load ragged file", () => Csv.Load(raggedPath), "3");
Refuse("csv", "Load missing file", () => Csv.Load(Path.Combine(tmp, "none.csv")), "none.csv");
Refuse("csv", "Load(\"\")", () => Csv.Load(""), "path");
Refuse("csv", "Separator = '\"'", () => Csv.Parse("a\"b\n1\"2\n", new CsvLoadOptions { Separator = '"' }), "separator");
Refuse("csv", "Separator = '\\n'", () => Csv.Parse("a,b\n1,2\n", new CsvLoadOptions { Separator = '\n' }), "separator");
Refuse("csv", "Save(null, path)", () => { Csv.Save(null, Path.Combine(tmp, "x.csv")); return null; });
Refuse("csv", "Save(frame, \"\")", () => { Csv.Save(new DataFrame(new DoubleDataFrameColumn("a", [1.0])), ""); return null; }, "path");
Refuse("csv", "ToCsvString(null)", () => Csv.ToCsvString(null));

// ---- Data package: windows ------------------------------------------------------------------------------------------
DataFrame Frame(int rows) => new(new DoubleDataFrameColumn("a", Enumerable.Range(0, rows).Select(r => 100.0 + r)), new DoubleDataFrameColumn("b", Enumerable.Range(0, rows).Select(r => Math.Sin(r))));
WindowedDataset<double> Win(WindowOptions o, int rows = 40) => TimeSeriesWindows.FromDataFrame<double>(Frame(rows), o);
var w3 = new WindowOptions(["b"], "a", 3) { Split = SplitFractions.TrainOnly };
Refuse("windows", "WindowLength = int.MaxValue", () => Win(w3 with { WindowLength = int.MaxValue }), "2147483647|2,147,483,647");
Refuse("windows", "Horizon = int.MaxValue", () => Win(w3 with { Horizon = int.MaxValue }), "2147483647|2,147,483,647");
Refuse("windows", "WindowLength = int.MaxValue - 1, differencing", () => Win(w3 with { WindowLength = int.MaxValue - 1, Differencing = Differencing.FirstDifference }), "2147483646|2,147,483,646");
Behaves("windows", "Stride = int.MaxValue gives 1 window", () => Win(w3 with { Stride = int.MaxValue }).Train.Count == 1 ? null : "not 1 window");
Refuse("windows", "WindowCount(10, 3, 1, stride 0)", () => TimeSeriesWindows.WindowCount(10, 3, 1, 0), "0");
Behaves("windows", "WindowCount(10, int.MaxValue, 1) is 0", () => TimeSeriesWindows.WindowCount(10, int.MaxValue, 1) is var c && c == 0 ? null : $"gave {c}");
Refuse("windows", "WindowCount(-5, 3)", () => TimeSeriesWindows.WindowCount(-5, 3), "-5");
Refuse("windows", "WindowCount(10, 0)", () => TimeSeriesWindows.WindowCount(10, 0), "0");
Refuse("windows", "Split = null", () => Win(w3 with { Split = null }), "Split");
Refuse("windows", "Split NaN", () => Win(w3 with { Split = new SplitFractions(double.NaN, 0, 0) }), "NaN");
Refuse("windows", "FeatureColumns = null", () => Win(w3 with { FeatureColumns = null }), "feature");
Refuse("windows", "FeatureColumns = [null]", () => Win(w3 with { FeatureColumns = new string[] { null } }), "feature");
Refuse("windows", "TargetColumn = null", () => Win(w3 with { TargetColumn = null }), "target");
Refuse("windows", "MissingValues = (MissingValuePolicy)9", () => Win(w3 with { MissingValues = (MissingValuePolicy)9 }), "9");
Refuse("windows", "Target = (TargetLayout)9", () => Win(w3 with { Target = (TargetLayout)9 }), "9");
Refuse("windows", "FromDataFrame(null, o)", () => TimeSeriesWindows.FromDataFrame<double>(null, w3));
Refuse("windows", "FromDataFrame(frame, null)", () => TimeSeriesWindows.FromDataFrame<double>(Frame(10), null));
Refuse("windows", "Frame with 0 rows", () => Win(w3, rows: 0), "0");
Refuse("windows", "WindowLength 1,000,000 on 40 rows", () => Win(w3 with { WindowLength = 1_000_000 }), "1000000|1,000,000");
Refuse("windows", "values 1e300 into float, Scaling None", () =>
    TimeSeriesWindows.FromDataFrame<float>(new DataFrame(new DoubleDataFrameColumn("a", Enumerable.Range(0, 10).Select(r => r == 4 ? 1e300 : r))), new WindowOptions(["a"], "a", 3) { Scaling = ScalingKind.None, Split = SplitFractions.TrainOnly }), "row 4|1E+300");
Refuse("windows", "Part(Test) without a test part", () => Win(w3).Part(DatasetPart.Test), "Test");
Refuse("windows", "Part((DatasetPart)9)", () => Win(w3).Part((DatasetPart)9), "9");
Refuse("windows", "Forecast(null)", () => Win(w3).Forecast(null, DatasetPart.Train));
Refuse("windows", "Forecast with a classification model", () => Win(w3).Forecast(Lstm.Create(1, 4).WithHead(Head.Classification(2)).Build<double>(), DatasetPart.Train), "Classification");
Refuse("windows", "Forecast with a 3-input model", () => Win(w3).Forecast(m3, DatasetPart.Train), "3");
Refuse("windows", "ToTargetUnits(null, 1)", () => Win(w3).ToTargetUnits(null, 1));
Refuse("windows", "ToTargetUnits(w, NaN)", () => Win(w3).ToTargetUnits(Win(w3).Windows(DatasetPart.Train)[0], double.NaN), "NaN");
Refuse("windows", "Forecast record with 3 actual, 2 predicted", () => new Forecast("a", DatasetPart.Test, [1, 2, 3], null, [1.0, 2, 3], [1.0, 2]).Residuals, "3", "SILENT");
Refuse("windows", "Forecast record RMSE with no values", () => new Forecast("a", DatasetPart.Test, [], null, [], []).RootMeanSquaredError, "no");
Refuse("windows", "Datasets.Co2Forecast(windowLength: -1) → FromDataFrame", () => TimeSeriesWindows.FromDataFrame<double>(Frame(40), Datasets.Co2Forecast(windowLength: -1) with { FeatureColumns = ["a"], TargetColumn = "a", DateColumn = null }), "-1");
Refuse("windows", "Datasets.LoadCo2(missing folder)", () => Datasets.LoadCo2(Path.Combine(tmp, "nope")), "nope");

// ---- Data package: scalers, frames, synthetic -----------------------------------------------------------------------
Refuse("scaler", "Fit ZScore on [NaN, 1]", () => ColumnScaler.Fit("a", ScalingKind.ZScore, [double.NaN, 1]), "NaN", "SILENT");
Refuse("scaler", "Fit MinMax on [inf, 1]", () => ColumnScaler.Fit("a", ScalingKind.MinMax, [double.PositiveInfinity, 1]), "∞|Infinity", "SILENT");
Refuse("scaler", "Fit(null, …)", () => ColumnScaler.Fit(null, ScalingKind.ZScore, [1.0]));
Refuse("scaler", "Fit (ScalingKind)9", () => ColumnScaler.Fit("a", (ScalingKind)9, [1.0, 2]), "9", "SILENT");
Refuse("scaler", "new ColumnScaler(scale 0).Transform", () => new ColumnScaler("a", ScalingKind.ZScore, 0, 0).Transform(1), "0", "SILENT");
Refuse("scaler", "new ColumnScaler(offset NaN)", () => new ColumnScaler("a", ScalingKind.ZScore, double.NaN, 1).Transform(1), "NaN", "SILENT");
Refuse("scaler", "DataScaler.TransformFeatures(null)", () => new DataScaler([ColumnScaler.Fit("a", ScalingKind.None, [1.0])], ColumnScaler.Fit("a", ScalingKind.None, [1.0])).TransformFeatures(null));
Refuse("scaler", "DataScaler wrong row length", () => new DataScaler([ColumnScaler.Fit("a", ScalingKind.None, [1.0])], ColumnScaler.Fit("a", ScalingKind.None, [1.0])).TransformFeatures([1.0, 2]), "2");
Refuse("scaler", "new DataScaler(null, null).TransformFeatures", () => new DataScaler(null, null).TransformFeatures([1.0]), "Features");
Refuse("frames", "FromTrace(null)", () => Frames.FromTrace<double>(null));
Refuse("frames", "FromTrace Layer 5", () => Frames.FromTrace(trace, new TraceFrameOptions { Layer = 5 }), "5");
Refuse("frames", "FromTrace GRU CellState", () => Frames.FromTrace(gru.Trace(s5), new TraceFrameOptions { Channels = [TraceChannel.CellState] }), "CellState");
Refuse("frames", "FromTrace Channels (TraceChannel)99", () => Frames.FromTrace(trace, new TraceFrameOptions { Channels = [(TraceChannel)99] }), "99");
Refuse("frames", "FromTraceLong Layer -1", () => Frames.FromTraceLong(trace, new TraceFrameOptions { Layer = -1 }), "-1");
Refuse("frames", "FromPredictions counts differ", () => Frames.FromPredictions([1.0, 2], [1.0]), "2");
Refuse("frames", "FromPredictions(null, …)", () => Frames.FromPredictions(null, [1.0]));
Refuse("frames", "FromPredictions dates count differs", () => Frames.FromPredictions([1.0], [1.0], [DateTime.Today, DateTime.Today]), "2");
Refuse("frames", "FromHistory(new TrainingHistory(null, …))", () => Frames.FromHistory(new TrainingHistory(null, StopReason.Completed, 0)), "Epochs");
Refuse("frames", "FromHistory(null)", () => Frames.FromHistory(null));
Refuse("frames", "FromDataset(null)", () => Frames.FromDataset<double>(null));
Refuse("frames", "FromGradientFlow(null)", () => Frames.FromGradientFlow(null));
Refuse("frames", "FromForecast(null)", () => Frames.FromForecast(null));
Refuse("synthetic", "SineWave(count 0)", () => SyntheticTasks.SineWave<double>(0, 10, 1), "0");
Refuse("synthetic", "SineWave(steps int.MaxValue)", () => SyntheticTasks.SineWave<double>(1, int.MaxValue, 1), "2147483647|2,147,483,647");
Refuse("synthetic", "SineWave(count int.MaxValue, steps 1)", () => SyntheticTasks.SineWave<double>(int.MaxValue, 1, 1), "2147483647|2,147,483,647");
Behaves("synthetic", "SineWave(Steps 10, Horizon int.MaxValue) target", () =>
{
    var d = SyntheticTasks.SineWave<double>(new SineWaveOptions { Count = 1, Steps = 10, Horizon = int.MaxValue, Seed = 3 });
    var rng = new Rng(3);
    double period = rng.Uniform(12, 36), amplitude = rng.Uniform(0.5, 1.0), phase = rng.Uniform(0, 2 * Math.PI);
    double expected = amplitude * Math.Sin(2 * Math.PI * (9L + int.MaxValue) / period + phase);
    return Math.Abs(d[0].Target[0, 0] - expected) < 1e-6 ? null : $"target {d[0].Target[0, 0]}, expected {expected}";
});
Refuse("synthetic", "SineWave(options null)", () => SyntheticTasks.SineWave<double>((SineWaveOptions)null));
Refuse("synthetic", "SineWave(Target (TargetLayout)9)", () => SyntheticTasks.SineWave<double>(new SineWaveOptions { Count = 2, Steps = 5, Target = (TargetLayout)9 }), "9", "SILENT");
Refuse("synthetic", "SineWave(MinPeriod NaN)", () => SyntheticTasks.SineWave<double>(new SineWaveOptions { MinPeriod = double.NaN }), "NaN");
Refuse("synthetic", "RememberFirstSymbol(gap int.MaxValue)", () => SyntheticTasks.RememberFirstSymbol<double>(int.MaxValue, 1, 1), "2147483647|2,147,483,647");
Refuse("synthetic", "RememberFirstSymbol(symbols int.MaxValue)", () => SyntheticTasks.RememberFirstSymbol<double>(10, 1, 1, symbols: int.MaxValue), "2147483647|2,147,483,647");
Refuse("synthetic", "RememberFirstSymbol(gap 0)", () => SyntheticTasks.RememberFirstSymbol<double>(0, 1, 1), "0");
Behaves("synthetic", "RememberFirstSymbol(gap 1)", () => SyntheticTasks.RememberFirstSymbol<double>(1, 4, 1)[0].Input.Steps == 2 ? null : "wrong length");
Refuse("synthetic", "SineWaveFrame(length -1)", () => SyntheticTasks.SineWaveFrame(-1, 10, 0, 1), "-1");
Refuse("synthetic", "SineWaveFrame(period NaN)", () => SyntheticTasks.SineWaveFrame(10, double.NaN, 0, 1), "NaN");
Refuse("synthetic", "SineWaveFrame(length int.MaxValue)", () => SyntheticTasks.SineWaveFrame(int.MaxValue, 10, 0, 1), "2147483647|2,147,483,647");

// ---- summary ------------------------------------------------------------------------------------------------------
Console.WriteLine();
foreach (var g in results.GroupBy(r => r.Outcome).OrderBy(g => g.Key)) Console.WriteLine($"{g.Key,-9} {g.Count()}");
Console.WriteLine($"total     {results.Count}");
try { Directory.Delete(tmp, true); } catch { }
Environment.Exit(0);
