using System.Numerics;

namespace LstmNotebooks;

/// <summary>What a run of a batch produced.</summary>
public sealed class RunResult<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly T[] _output;
    private readonly T[]? _headOutputs;
    private readonly int[] _lengths;

    private RunResult(T[] output, RecurrentState<T> finalState, T[]? headOutputs, int batch, int steps, int hidden, int outputs, int[] lengths, HeadOutput mode)
    {
        _output = output;
        FinalState = finalState;
        _headOutputs = headOutputs;
        Batch = batch;
        Steps = steps;
        HiddenSize = hidden;
        Outputs = outputs;
        _lengths = lengths;
        HeadMode = mode;
    }

    public int Batch { get; }
    public int Steps { get; }
    public int HiddenSize { get; }
    /// <summary>Head outputs per row (0 without a head).</summary>
    public int Outputs { get; }
    public HeadOutput HeadMode { get; }

    /// <summary>Top layer's hidden states (B, T, H), batch-first; zero at padded steps (as PyTorch's packed output).</summary>
    public ReadOnlySpan<T> Output => _output;

    /// <summary>h_n (and c_n) per layer: each sequence's state after its last valid step; pass it to the next run to continue.</summary>
    public RecurrentState<T> FinalState { get; }

    /// <summary>Head outputs: (B, O) for a last-step head, (B, T, O) for an every-step head (zero at padding).
    /// Probabilities for classification and binary heads. Empty without a head.</summary>
    public ReadOnlySpan<T> HeadOutputs => _headOutputs;

    /// <summary>One sequence's outputs at its last valid step: head outputs, or the top hidden state without a head.</summary>
    public T[] LastOutputs(int sample)
    {
        int last = _lengths[ThrowHelper.RequireIndex(sample, Batch, nameof(sample), "Sample")] - 1;
        if (_headOutputs is null) return _output.AsSpan((sample * Steps + last) * HiddenSize, HiddenSize).ToArray();
        return HeadMode == HeadOutput.LastStep
            ? _headOutputs.AsSpan(sample * Outputs, Outputs).ToArray()
            : _headOutputs.AsSpan((sample * Steps + last) * Outputs, Outputs).ToArray();
    }

    internal static RunResult<T> From(Model<T> model, LayerCache<T>[] caches, int batch, int steps, int[] lengths)
    {
        var spec = model.Spec;
        int hs = spec.HiddenSize;
        var top = caches[^1].Hs;
        var output = new T[batch * steps * hs];
        for (int b = 0; b < batch; b++)
            for (int t = 0; t < lengths[b]; t++)
                top.AsSpan((t * batch + b) * hs, hs).CopyTo(output.AsSpan((b * steps + t) * hs));
        var (h, c) = model.Stack.FinalState(caches);
        var state = new RecurrentState<T>(h, c, spec.Layers, batch, hs);
        T[]? head = null;
        int o = spec.Head.Outputs;
        if (model.HeadLayer is { } layer)
        {
            if (spec.Head.Output == HeadOutput.LastStep)
            {
                head = layer.Forward(model.Parameters, state.HiddenArray.AsSpan((spec.Layers - 1) * batch * hs, batch * hs), batch);
                Losses.Activate<T>(spec.Head.Kind, head, batch, o);
            }
            else
            {
                head = layer.Forward(model.Parameters, output, batch * steps);
                Losses.Activate<T>(spec.Head.Kind, head, batch * steps, o);
                for (int b = 0; b < batch; b++) head.AsSpan((b * steps + lengths[b]) * o, (steps - lengths[b]) * o).Clear();
            }
        }
        return new RunResult<T>(output, state, head, batch, steps, hs, spec.Head.Kind == HeadKind.None ? 0 : o, lengths, spec.Head.Output);
    }
}

/// <summary>Gradients from <see cref="Model{T}.Backpropagate"/>: per named parameter, the input (B, T, I) and the initial state.</summary>
public sealed class Gradients<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly ParameterLayout _layout;
    private readonly T[] _parameters;
    private readonly T[] _input;

    internal Gradients(ParameterLayout layout, T[] parameters, T[] input, RecurrentState<T> initialState)
    {
        _layout = layout;
        _parameters = parameters;
        _input = input;
        InitialState = initialState;
    }

    public ReadOnlySpan<T> Parameters => _parameters;
    public ReadOnlySpan<T> Input => _input;
    public RecurrentState<T> InitialState { get; }

    public ReadOnlySpan<T> Parameter(string name)
    {
        var info = _layout.Get(name);
        return _parameters.AsSpan(info.Offset, info.Length);
    }
}
