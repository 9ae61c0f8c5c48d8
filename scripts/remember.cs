// The kit from a C# file-based app (`dotnet run file.cs`, the successor of C# notebooks): train an LSTM to remember the
// first symbol across 30 distractors, trace it, and write its gate heatmaps as an offline page.
//   bash scripts/setup            (once: packs the kit into artifacts/packages, the feed scripts/nuget.config names)
//   dotnet run scripts/remember.cs [out.html]
#:package LstmNotebooks.Plotting@0.2.0

using LstmNotebooks;
using LstmNotebooks.Plotting;

const int gap = 30;
var rng = new Rng(seed: 1);
Sample<float> NewSample()
{
    int cls = rng.NextInt(2);
    var symbols = new List<int> { cls };
    for (int t = 0; t < gap; t++) symbols.Add(2 + rng.NextInt(4));
    return Sample.Class(Sequence.OneHot<float>(symbols, alphabetSize: 6), cls);
}
var train = Dataset.Create(Enumerable.Range(0, 512).Select(_ => NewSample()).ToList());
var test = Dataset.Create(Enumerable.Range(0, 200).Select(_ => NewSample()).ToList());

var fit = Lstm.Create(inputSize: 6, hiddenSize: 16)
    .WithForgetBias(5.0).WithInputGateBias(-3.0).WithSeed(7)
    .WithHead(Head.Classification(classes: 2))
    .Build()
    .Train(train, Training.Adam(learningRate: 0.01).WithEpochs(6).WithGradientClip(1.0).WithSeed(1));

int correct = test.Samples.Count(s => { var p = fit.Model.Predict(s.Input); return (p[1] > p[0] ? 1 : 0) == (int)s.Target.Values[0]; });
double accuracy = correct / (double)test.Count;
Console.WriteLine($"loss {fit.History.TrainLoss[0]:F4} -> {fit.History.TrainLoss[^1]:F4}; held-out accuracy after a gap of {gap}: {accuracy:P1}");

var page = fit.Model.Trace(test[0].Input).GateHeatmaps().SaveOfflineHtml(args.Length > 0 ? args[0] : "remember-gates.html");
Console.WriteLine($"gate heatmaps: {page}");
if (accuracy < 0.9)
{
    Console.Error.WriteLine($"the LSTM should remember the first symbol (accuracy {accuracy:F3} < 0.9)");
    return 1;
}
return 0;
