using System.Numerics;
using Microsoft.ML.OnnxRuntime;

namespace LstmNotebooks.Interop.Tests;

/// <summary>Runs an ONNX file in ONNX Runtime (CPU) with named inputs and returns every output by name.</summary>
public static class Ort
{
    public sealed record Output(long[] Shape, double[] Values);

    public sealed class Inputs<T> where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        internal readonly List<(string Name, Func<OrtValue> Create)> Values = [];

        public Inputs<T> Add(string name, T[] values, params long[] shape)
        {
            Values.Add((name, () => OrtValue.CreateTensorValueFromMemory(values, shape)));
            return this;
        }

        public Inputs<T> AddInt32(string name, int[] values, params long[] shape)
        {
            Values.Add((name, () => OrtValue.CreateTensorValueFromMemory(values, shape)));
            return this;
        }
    }

    public static Dictionary<string, Output> Run<T>(byte[] model, Inputs<T> inputs) where T : unmanaged, IBinaryFloatingPointIeee754<T>
    {
        using var options = new SessionOptions();
        options.IntraOpNumThreads = 1; // the machine is shared; one thread is plenty for these sizes
        using var session = new InferenceSession(model, options);
        var values = inputs.Values.Select(v => v.Create()).ToList();
        try
        {
            var outputNames = session.OutputMetadata.Keys.ToArray();
            using var runOptions = new RunOptions();
            using var results = session.Run(runOptions, inputs.Values.Select(v => v.Name).ToArray(), values, outputNames);
            var map = new Dictionary<string, Output>();
            for (int i = 0; i < outputNames.Length; i++)
            {
                var r = results[i];
                var shape = r.GetTensorTypeAndShape().Shape;
                double[] data = typeof(T) == typeof(float)
                    ? r.GetTensorDataAsSpan<float>().ToArray().Select(x => (double)x).ToArray()
                    : r.GetTensorDataAsSpan<double>().ToArray();
                map[outputNames[i]] = new Output(shape, data);
            }
            return map;
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }
    }

    /// <summary>The file's custom metadata (ModelProto.metadata_props) and its input/output names, as ORT reads them.</summary>
    public static (Dictionary<string, string> Metadata, string[] Inputs, string[] Outputs) Describe(byte[] model)
    {
        using var session = new InferenceSession(model);
        return (new Dictionary<string, string>(session.ModelMetadata.CustomMetadataMap),
                session.InputMetadata.Keys.ToArray(), session.OutputMetadata.Keys.ToArray());
    }
}
