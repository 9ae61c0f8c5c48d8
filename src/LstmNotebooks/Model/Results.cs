using System.Numerics;

namespace LstmNotebooks;

/// <summary>What a run of a batch produced. From <see cref="Model{T}.Run"/> it is the caller's to keep; from a
/// <see cref="Workspace{T}"/> it views the workspace's buffers and is overwritten by its next call.</summary>
public sealed class RunResult<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private T[] _output = [];
    private T[]? _headOutputs;
    private int[] _lengths = [];
    private int _headLength;

    internal RunResult() => FinalState = new RecurrentState<T>([], null, 0, 0, 0, 0);

    public int Batch { get; private set; }
    public int Steps { get; private set; }
    /// <summary>Width of h: the hidden size, or the projection size of a projected LSTM.</summary>
    public int HiddenSize { get; private set; }
    /// <summary>Width of each output row: <see cref="HiddenSize"/>, or twice that for a bidirectional model
    /// (forward, then reverse).</summary>
    public int OutputSize { get; private set; }
    /// <summary>Head outputs per row (0 without a head).</summary>
    public int Outputs { get; private set; }
    public HeadOutput HeadMode { get; private set; }

    /// <summary>Top layer's outputs (B, T, D·Hout), batch-first; zero at padded steps (as PyTorch's packed output).</summary>
    public ReadOnlySpan<T> Output => _output.AsSpan(0, Batch * Steps * OutputSize);

    /// <summary>h_n (and c_n) per layer and direction: each sequence's state after its last valid step (the reverse
    /// direction's after step 0); pass it to the next run to continue.</summary>
    public RecurrentState<T> FinalState { get; }

    /// <summary>Head outputs: (B, O) for a last-step head, (B, T, O) for an every-step head (zero at padding).
    /// Probabilities for classification and binary heads. Empty without a head.</summary>
    public ReadOnlySpan<T> HeadOutputs => _headOutputs is null ? default : _headOutputs.AsSpan(0, _headLength);

    /// <summary>One sequence's outputs at its last valid step: head outputs, or without a head the top layer's final
    /// hidden state (both directions' h_n, concatenated, for a bidirectional model).</summary>
    public T[] LastOutputs(int sample)
    {
        int last = _lengths[ThrowHelper.RequireIndex(sample, Batch, nameof(sample), "Sample")] - 1;
        if (_headOutputs is null)
        {
            int directions = OutputSize / HiddenSize, top = FinalState.Layers - directions;
            var result = new T[OutputSize];
            for (int d = 0; d < directions; d++) FinalState.HiddenOf(top + d, sample).CopyTo(result.AsSpan(d * HiddenSize));
            return result;
        }
        return HeadMode == HeadOutput.LastStep
            ? _headOutputs.AsSpan(sample * Outputs, Outputs).ToArray()
            : _headOutputs.AsSpan((sample * Steps + last) * Outputs, Outputs).ToArray();
    }

    internal void Set(T[] output, T[] hidden, T[]? cell, T[]? head, int[] lengths, int batch, int steps, Network<T> net)
    {
        (_output, _headOutputs, _lengths, Batch, Steps) = (output, head, lengths, batch, steps);
        (HiddenSize, OutputSize, Outputs, HeadMode) = (net.Hout, net.OutputWidth, net.HeadOutputs, net.Spec.Head.Output);
        _headLength = head is null ? 0 : (HeadMode == HeadOutput.EveryStep ? batch * steps : batch) * Outputs;
        FinalState.Set(hidden, cell, net.L * net.D, batch, net.Hout, net.H);
    }
}

/// <summary>Gradients from <see cref="Model{T}.Backpropagate"/>: per named parameter, the input (B, T, I) and the
/// initial state. From a <see cref="Workspace{T}"/> they view its buffers until its next call.</summary>
public sealed class Gradients<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
{
    private readonly ParameterLayout _layout;
    private T[] _parameters = [];
    private T[] _input = [];
    private int _inputLength;

    internal Gradients(ParameterLayout layout)
    {
        _layout = layout;
        InitialState = new RecurrentState<T>([], null, 0, 0, 0, 0);
    }

    public ReadOnlySpan<T> Parameters => _parameters.AsSpan(0, _layout.Count);
    public ReadOnlySpan<T> Input => _input.AsSpan(0, _inputLength);
    public RecurrentState<T> InitialState { get; }

    public ReadOnlySpan<T> Parameter(string name)
    {
        var info = _layout.Get(name);
        return _parameters.AsSpan(info.Offset, info.Length);
    }

    internal void Set(T[] parameters, T[] input, int inputLength, T[] dh0, T[]? dc0, int rows, int batch, int hiddenSize, int cellSize)
    {
        (_parameters, _input, _inputLength) = (parameters, input, inputLength);
        InitialState.Set(dh0, dc0, rows, batch, hiddenSize, cellSize);
    }
}
