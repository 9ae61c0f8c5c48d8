using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LstmNotebooks.Plotting;
using Microsoft.DotNet.Interactive.Formatting;
using Plotly.NET;

namespace LstmNotebooks.Interactive.Tests;

/// <summary>The formatter registry is process-wide: these tests run one at a time and reset it after each.</summary>
[CollectionDefinition(nameof(FormatterRegistry), DisableParallelization = true)]
public sealed class FormatterRegistry;

[Collection(nameof(FormatterRegistry))]
public sealed partial class FormatterTests : IDisposable
{
    public FormatterTests()
    {
        Formatter.ResetToDefault();
        NotebookSupport.Load();
    }

    public void Dispose() => Formatter.ResetToDefault();

    [Fact]
    public void AChartIsHtmlThatDrawsItAndCarriesItsFigure()
    {
        var chart = ActivationCharts.SigmoidAndTanh();
        Assert.Equal(["text/html"], Formatter.GetPreferredMimeTypesFor(chart.GetType()));
        var html = chart.ToDisplayString("text/html");

        Assert.Contains("Plotly.newPlot", html);
        var figure = Figure(html);
        var expected = JsonNode.Parse(GenericChart.toFigureJson(chart))!;
        Assert.Equal(expected["data"]!.AsArray().Count, figure["data"]!.AsArray().Count);
        Assert.True(JsonNode.DeepEquals(expected["data"], figure["data"]), "the data block must be the chart's figure");
    }

    [Fact]
    public void OnlyTheFirstChartOfASessionCarriesPlotlyJs()
    {
        var first = ActivationCharts.SigmoidAndTanh().ToDisplayString("text/html");
        var second = ActivationCharts.SigmoidAndTanh().ToDisplayString("text/html");

        Assert.Contains($"plotly.js {ChartHtml.PlotlyJsVersion}", first);
        Assert.True(first.Length > 1_000_000, $"the first chart should inline plotly.js (~3.5 MB), but is {first.Length:N0} characters");
        Assert.DoesNotContain($"plotly.js {ChartHtml.PlotlyJsVersion}", second);
        Assert.True(second.Length < 100_000, $"later charts reuse the page's plotly.js, but one is {second.Length:N0} characters");
        Assert.Contains("window.Plotly", second);
    }

    [Fact]
    public void ATraceShowsAsGateHeatmapsOfItsChannels()
    {
        var model = Lstm.Create(inputSize: 1, hiddenSize: 3).WithSeed(1).Build();
        var trace = model.Trace(Sequence.FromScalars(new float[] { 1, -1, 0.5f, 2 }));
        var figure = Figure(trace.ToDisplayString("text/html"));

        var heatmaps = figure["data"]!.AsArray().Where(t => (string?)t!["type"] == "heatmap").ToArray();
        Assert.Equal(GateVocabulary.DefaultChannels(CellKind.Lstm).Count, heatmaps.Length);
        Assert.All(heatmaps, h => Assert.Equal(3, h!["z"]!.AsArray().Count));         // one row per unit
        Assert.All(heatmaps, h => Assert.Equal(4, h!["z"]![0]!.AsArray().Count));     // one column per step
    }

    [Fact]
    public void ATrainingHistoryShowsAsItsLossCurve()
    {
        var data = Dataset.Create(Enumerable.Range(0, 8)
            .Select(i => Sample.Create(Sequence.FromScalars(new float[] { i / 8f, 0.5f }), (float)i / 8)).ToList());
        var fit = Lstm.Create(1, 2).WithSeed(1).WithHead(Head.Regression()).Build().Train(data, Training.Adam(0.01).WithEpochs(3));
        var figure = Figure(fit.History.ToDisplayString("text/html"));

        var loss = figure["data"]!.AsArray().First()!;
        Assert.Equal(fit.History.TrainLoss, loss["y"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray());
    }

    [Fact]
    public void AModelIsATableOfItsSettingsAndEveryTensor()
    {
        var model = Lstm.Create(inputSize: 3, hiddenSize: 4).WithLayers(2).WithForgetBias(1).WithSeed(2)
            .WithHead(Head.Classification(3)).Build<double>();
        var html = model.ToDisplayString("text/html");

        Assert.Contains("float64", html);
        Assert.Contains(model.ParameterCount.ToString("N0"), html);
        foreach (var info in model.ParameterInfos) Assert.Contains($"<code>{info.Name}</code>", html);
        foreach (var property in typeof(ModelSpec).GetProperties()) Assert.Contains($"<td>{property.Name}</td>", html);
        Assert.Equal(model.ToString(), model.ToDisplayString("text/plain"));
    }

    [Fact]
    public void KitValuesWithSpanPropertiesFormatAsJsonSoKernelsCanShareThem()
    {
        // #!share formats a value as application/json before handing it over; System.Text.Json throws on a ReadOnlySpan
        // property, and the kernel then drops the value silently.
        var holders = KitFormatters.SpanHolders();
        foreach (var type in new[] { typeof(Model<float>), typeof(Model<double>), typeof(TrainingResult<float>), typeof(Dataset<float>),
                     typeof(Sample<double>), typeof(Sequence<float>), typeof(SequenceBatch<float>), typeof(RunResult<float>) })
            Assert.Contains(type, holders);
        Assert.DoesNotContain(typeof(Trace<float>), holders);   // no span property: its default JSON works
        Assert.DoesNotContain(typeof(ModelSpec), holders);

        var model = Lstm.Create(2, 3).WithHead(Head.Regression(1)).Build();
        var sequence = Sequence.FromFlat<float>([1, 2, 3, 4], 2, 2);
        var data = Dataset.Create([Sample.Create(sequence, 0.5f)]);
        var fit = model.Train(data, Training.Adam(0.01).WithEpochs(1));
        object[] values = [model, fit, data, data[0], sequence, SequenceBatch.Create([sequence]), model.Run(SequenceBatch.Create([sequence]))];
        foreach (var value in values)
        {
            var json = JsonNode.Parse(value.ToDisplayString("application/json"))!;
            Assert.Equal(value.ToString(), (string)json["summary"]!);
        }
        Assert.Equal("Model<Single>", (string)JsonNode.Parse(model.ToDisplayString("application/json"))!["type"]!);
        Assert.Equal("TrainingResult<Single>", (string)JsonNode.Parse(fit.ToDisplayString("application/json"))!["type"]!);
    }

    [Fact]
    public void LoadingTwiceAttachesTheAssemblyHandlerOnce()
    {
        NotebookSupport.Load();
        // AppDomain.AssemblyResolve is stored as AssemblyLoadContext's static event field in .NET.
        var field = typeof(System.Runtime.Loader.AssemblyLoadContext).GetField("AssemblyResolve", BindingFlags.Static | BindingFlags.NonPublic);
        Assert.NotNull(field);
        var handlers = (field.GetValue(null) as Delegate)?.GetInvocationList() ?? [];
        Assert.Single(handlers, h => h.Method.Name == nameof(FSharpCoreBinding.Resolve));
    }

    private static JsonNode Figure(string html)
    {
        var match = FigureBlock().Match(html);
        Assert.True(match.Success, "the html carries no application/vnd.plotly.v1+json data block");
        return JsonNode.Parse(match.Groups[1].Value.Replace("<\\/", "</"))!;
    }

    [GeneratedRegex("<script type=\"application/vnd\\.plotly\\.v1\\+json\"[^>]*>(.*?)</script>", RegexOptions.Singleline)]
    private static partial Regex FigureBlock();
}
