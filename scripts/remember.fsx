// The kit from F# Interactive: train an LSTM to remember the first symbol across 30 distractors, trace it, and write
// its gate heatmaps as an offline page.
//   bash scripts/setup            (once: packs the kit into artifacts/packages and registers that feed)
//   dotnet fsi scripts/remember.fsx [out.html]
#r "nuget: LstmNotebooks.Plotting, 0.2.0"

open LstmNotebooks
open LstmNotebooks.Plotting

let gap = 30
let rng = Rng(1L)
let sample () =
    let cls = rng.NextInt 2
    let symbols = [ yield cls; for _ in 1 .. gap -> 2 + rng.NextInt 4 ]
    Sample.Class(Sequence.OneHot<float32>(symbols, alphabetSize = 6), cls)
let train = Dataset.Create [ for _ in 1 .. 512 -> sample () ]
let test = Dataset.Create [ for _ in 1 .. 200 -> sample () ]

let fit =
    Lstm.Create(inputSize = 6, hiddenSize = 16)
        .WithForgetBias(5.0)
        .WithInputGateBias(-3.0)
        .WithSeed(7L)
        .WithHead(Head.Classification(classes = 2))
        .Build()
        .Train(train, Training.Adam(learningRate = 0.01).WithEpochs(6).WithGradientClip(1.0).WithSeed(1L))

let correct =
    test.Samples
    |> Seq.filter (fun s ->
        let p = fit.Model.Predict s.Input
        (if p[1] > p[0] then 1 else 0) = int s.Target.Values[0])
    |> Seq.length
let accuracy = float correct / float test.Count
printfn "loss %.4f -> %.4f; held-out accuracy after a gap of %d: %.1f %%"
    fit.History.TrainLoss[0] (Array.last fit.History.TrainLoss) gap (100.0 * accuracy)

let out = match fsi.CommandLineArgs with [| _; path |] -> path | _ -> "remember-gates.html"
let page = fit.Model.Trace(test[0].Input).GateHeatmaps().SaveOfflineHtml(out)
printfn "gate heatmaps: %s" page
if accuracy < 0.9 then failwithf "the LSTM should remember the first symbol (accuracy %.3f < 0.9)" accuracy
