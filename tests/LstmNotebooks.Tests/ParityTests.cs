using System.Numerics;

namespace LstmNotebooks.Tests;

/// <summary>Outputs, final states and every gradient against libtorch 2.10 (nn.LSTM / nn.GRU / nn.RNN).</summary>
public class ParityTests(Xunit.Abstractions.ITestOutputHelper output)
{
    public static TheoryData<string> Cases => new(ParityCase.All.Select(c => c.Name));

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesLibtorch(string name)
    {
        var c = ParityCase.All.Single(x => x.Name == name);
        var errors = c.DType == "float64" ? Check<double>(c, rel: 0, abs: 1e-9) : Check<float>(c, rel: 1e-5, abs: 1e-6);
        output.WriteLine($"{c.Name}: max |difference| outputs/states {errors.Where(e => !e.Key.StartsWith('d')).Max(e => e.Value):E2}, " +
                         $"gradients {errors.Where(e => e.Key.StartsWith('d')).Max(e => e.Value):E2}");
    }

    private static T[] Cast<T>(double[] values) where T : unmanaged, IBinaryFloatingPointIeee754<T>
        => values.Select(T.CreateTruncating).ToArray();

    internal static Dictionary<string, double> Check<T>(ParityCase c, double rel, double abs) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        var spec = new ModelSpec(c.Kind, c.InputSize, c.HiddenSize).WithLayers(c.Layers).WithBidirectional(c.Bidirectional);
        if (c.ProjSize > 0) spec = spec.WithProjection(c.ProjSize);
        var model = spec.Build<T>().WithParameters(c.Params.ToDictionary(p => p.Key, p => Cast<T>(p.Value)));
        Assert.Equal(c.Params.Keys, model.ParameterInfos.Select(p => p.Name)); // PyTorch's names, in PyTorch's order
        bool lstm = c.Kind == CellKind.Lstm;
        var batch = SequenceBatch.FromPadded<T>(Cast<T>(c.Tensors["x"]), c.Batch, c.Steps, c.InputSize, Enumerable.Repeat(c.Steps, c.Batch).ToArray());
        var state = RecurrentState<T>.Create(Cast<T>(c.Tensors["h0"]), lstm ? Cast<T>(c.Tensors["c0"]) : [], c.Layers * c.Directions, c.Batch,
            c.OutputSize, lstm, cellSize: c.HiddenSize);
        var errors = new Dictionary<string, double>();

        var run = model.Run(batch, state);
        errors["output"] = TensorAssert.Close(c.Name + " output", c.Tensors["output"], run.Output, rel, abs);
        errors["h_n"] = TensorAssert.Close(c.Name + " h_n", c.Tensors["h_n"], run.FinalState.Hidden, rel, abs);
        if (lstm) errors["c_n"] = TensorAssert.Close(c.Name + " c_n", c.Tensors["c_n"], run.FinalState.Cell, rel, abs);

        var g = model.Backpropagate(batch, state, Cast<T>(c.Tensors["R"]), Cast<T>(c.Tensors["Rh"]), lstm ? Cast<T>(c.Tensors["Rc"]) : []);
        foreach (var (pname, expected) in c.Grads)
        {
            ReadOnlySpan<T> actual = pname switch
            {
                "x" => g.Input,
                "h0" => g.InitialState.Hidden,
                "c0" => g.InitialState.Cell,
                _ => g.Parameter(pname),
            };
            // Gradients are sums of many products; scale the absolute floor by the tensor's magnitude for float32.
            double scale = expected.Max(Math.Abs);
            errors["d" + pname] = TensorAssert.Close($"{c.Name} grad {pname}", expected, actual, rel, abs == 1e-9 ? abs : abs + rel * scale);
        }
        return errors;
    }
}
