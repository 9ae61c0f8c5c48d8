using BenchmarkDotNet.Attributes;

namespace LstmNotebooks.Benchmarks;

/// <summary>
/// Whole-model calls at the shapes (float32, one LSTM layer, same data every call) × mode × threads. The
/// GFLOP/s and %-of-peak columns come from <see cref="LstmShape.Flops"/> and the FMA peak this run measured
/// (<see cref="FmaPeak"/>); Allocated is per call. Every mode runs as a user who calls repeatedly would: inference and
/// backpropagation through one <see cref="Workspace{T}"/> made with the thread count (<c>model.CreateWorkspace(n)</c>),
/// training steps through one session (<c>TrainingOptions.WithThreads</c>), so steady-state calls allocate nothing.
/// </summary>
[MemoryDiagnoser]
public class LstmBenchmarks
{
    [ParamsAllValues] public ShapeName Shape { get; set; }
    [ParamsAllValues] public Mode Mode { get; set; }
    [Params(1, 2)] public int Threads { get; set; }

    private Model<float> _model = null!;
    private SequenceBatch<float> _batch = null!;
    private float[] _r = [], _rh = [], _rc = [];
    private Dataset<float> _data = null!;
    private TrainingSession<float>? _session;
    private Workspace<float>? _workspace;

    [GlobalSetup]
    public void Setup()
    {
        var s = LstmShape.Of(Shape);
        var rng = new Rng(7);
        float[] Random(int n) => Enumerable.Range(0, n).Select(_ => (float)rng.Uniform(-1, 1)).ToArray();
        var x = Random(s.B * s.T * s.I);
        _batch = SequenceBatch.FromPadded<float>(x, s.B, s.T, s.I, Enumerable.Repeat(s.T, s.B).ToArray());
        _r = Random(s.B * s.T * s.H); _rh = Random(s.B * s.H); _rc = Random(s.B * s.H);
        _model = Lstm.Create(s.I, s.H).WithSeed(1).Build<float>();
        var withHead = Lstm.Create(s.I, s.H).WithSeed(1).WithHead(Head.Regression(1)).Build<float>();
        var targets = Random(s.B);
        _data = Dataset.Create(Enumerable.Range(0, s.B).Select(b =>
            Sample.Create(Sequence.FromFlat<float>(x.AsSpan(b * s.T * s.I, s.T * s.I), s.T, s.I), targets[b])));
        if (Mode == Mode.TrainAdam)
            _session = withHead.StartTraining(Training.Adam(1e-3).WithEpochs(1).WithBatchSize(s.B).WithThreads(Threads));
        else _workspace = _model.CreateWorkspace(Threads);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _workspace?.Dispose();
        _session?.Dispose();
    }

    [Benchmark]
    public object Call() => Mode switch
    {
        Mode.Infer => _workspace!.Run(_batch),
        Mode.Train => _workspace!.Backpropagate(_batch, null, _r, _rh, _rc),
        _ => _session!.Train(_data, epochs: 1),
    };
}
