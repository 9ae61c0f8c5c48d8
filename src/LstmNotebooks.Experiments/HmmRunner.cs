using System.Diagnostics;

namespace LstmNotebooks.Experiments;

/// <summary>
/// The HMM baselines on the symbolic tasks. Baum–Welch is batch EM, so an HMM trains on one set drawn from the same
/// stream the networks see (<see cref="ExperimentOptions.HmmTrainingSequences"/>, at most the budget) and is then
/// judged by the same criterion: on the next window of stream sequences (it no longer learns there), and on the same
/// test set. Its "output" for a classification task is P(answer | inputs) renormalised over the classes.
/// </summary>
public static class HmmRunner
{
    public static ExperimentResult Run(TaskGenerator task, ModelConfig config, ExperimentOptions options, long seed,
        IProgress<ExperimentProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (!task.IsSymbolic)
            throw new NotSupportedException($"{task.Task} has real-valued inputs; the discrete HMM baseline runs on the symbolic tasks only.");
        if (task.Criterion.Kind == CriterionKind.CheckSet)
            throw new NotSupportedException($"{task.Task} is judged on a check set of real-valued sequences; the discrete HMM baseline runs on the symbolic tasks only.");
        if (config.Kind == ModelKind.HmmClassifier && task.Classes == 0)
            throw new NotSupportedException($"{task.Task} is not a classification task; use the predictive HMM ({ModelKind.Hmm}).");
        var clock = Stopwatch.StartNew();
        var criterion = LongGapExperiments.EffectiveCriterion(task, options);
        var rng = LongGapExperiments.TrainingStream(seed);
        bool fixedSet = task is EmbeddedReberTask;
        int count = fixedSet ? ((EmbeddedReberTask)task).TrainingSetSize : (int)Math.Min(options.HmmTrainingSequences, options.Budget);
        var train = task.Generate(count, ref rng);
        var init = new Rng(seed ^ 0x4D4D_0000L);
        var iterations = new Progress(task, config, seed, count, options.Budget, clock, progress);
        var predictor = config.Kind == ModelKind.Hmm
            ? Predictor.Predictive(task, train, config.Hmm, ref init, iterations, cancellationToken)
            : Predictor.PerClass(task, train, config.Hmm, ref init, iterations, cancellationToken);

        bool solved;
        int windowErrors;
        int windowCount;
        if (fixedSet)
        {
            windowErrors = Score(predictor, task, train).Count(c => !c);
            windowCount = train.Count;
        }
        else
        {
            var window = task.Generate(criterion.Window, ref rng);
            windowErrors = Score(predictor, task, window).Count(c => !c);
            windowCount = window.Count;
        }
        var test = Evaluate(predictor, task, LongGapExperiments.TestSet(task, options, seed));
        solved = fixedSet ? windowErrors == 0 && test.ErrorRate == 0 : windowErrors <= criterion.AllowedFailures;
        clock.Stop();
        progress?.Report(new ExperimentProgress(task.Task, task.Lag, config.Name, seed, count, options.Budget, windowCount, windowErrors, double.NaN, clock.Elapsed));
        return new ExperimentResult
        {
            Task = task.Task, Lag = task.Lag, Setting = task.Setting, Model = config.Name, Kind = config.Kind, Seed = seed,
            Outcome = solved ? RunOutcome.Solved : RunOutcome.BudgetExhausted,
            // Baum–Welch sees its training set at once; there is no stream window to subtract.
            SequencesBeforeCriterion = solved ? count : null, SequencesToCriterion = solved ? count : null, SequencesTrained = count,
            TestErrorRate = test.ErrorRate, TestAccuracy = test.Accuracy, ChanceAccuracy = task.ChanceAccuracy,
            WallTime = clock.Elapsed, Parameters = predictor.Parameters,
            Curve = [new CurvePoint(count, 1 - (double)windowErrors / windowCount, predictor.FinalLogLikelihoodPerSymbol)],
        };
    }

    /// <summary>Per-sequence correctness of a trained predictor, by the task's own criterion.</summary>
    internal static bool[] Score(Predictor predictor, TaskGenerator task, IReadOnlyList<TaskSequence> sequences) => Evaluate(predictor, task, sequences).Criterion;

    internal static Evaluation Evaluate(Predictor predictor, TaskGenerator task, IReadOnlyList<TaskSequence> sequences)
    {
        var correct = new bool[sequences.Count];
        var decision = new bool[sequences.Count];
        for (int s = 0; s < sequences.Count; s++)
        {
            var outputs = predictor.Outputs(sequences[s]);
            correct[s] = task.IsCorrect(outputs, sequences[s]);
            decision[s] = task.IsDecisionRight(outputs, sequences[s]);
        }
        return new Evaluation(correct, decision, []);
    }

    private sealed class Progress(TaskGenerator task, ModelConfig config, long seed, int count, long budget, Stopwatch clock,
        IProgress<ExperimentProgress>? inner) : IProgress<HmmIteration>
    {
        public void Report(HmmIteration value)
            => inner?.Report(new ExperimentProgress(task.Task, task.Lag, $"{config.Name} (EM iteration {value.Iteration})", seed, count, budget, 0, 0,
                -value.LogLikelihood, clock.Elapsed));
    }

    /// <summary>A trained HMM (or one per class) answering with the task's outputs.</summary>
    internal sealed class Predictor
    {
        private readonly TaskGenerator _task;
        private readonly Hmm[] _models;
        private readonly double[] _logPriors;
        private readonly bool _perClass;

        private Predictor(TaskGenerator task, Hmm[] models, double[] logPriors, bool perClass, double finalLogLikelihoodPerSymbol)
        {
            _task = task;
            _models = models;
            _logPriors = logPriors;
            _perClass = perClass;
            FinalLogLikelihoodPerSymbol = finalLogLikelihoodPerSymbol;
        }

        public double FinalLogLikelihoodPerSymbol { get; }
        public IReadOnlyList<Hmm> Models => _models;
        public int Parameters => _models.Sum(m => m.States + m.States * m.States + m.States * m.Symbols);

        /// <summary>The HMM sees the inputs and then, for classification tasks, the answer as one extra symbol
        /// (Alphabet + class); Exp. 1's strings are complete already.</summary>
        public static int[] Observed(TaskGenerator task, TaskSequence sequence)
        {
            var symbols = sequence.Symbols ?? throw new InvalidOperationException($"{task.Task} sequences carry no symbols.");
            if (task.Classes == 0) return symbols;
            var observed = new int[symbols.Length + 1];
            symbols.CopyTo(observed, 0);
            observed[^1] = task.Alphabet + sequence.Label;
            return observed;
        }

        public static Predictor Predictive(TaskGenerator task, IReadOnlyList<TaskSequence> train, HmmTrainingOptions options, ref Rng rng,
            IProgress<HmmIteration>? progress, CancellationToken cancellationToken)
        {
            var sequences = train.Select(s => Observed(task, s)).ToList();
            var (model, logLikelihood) = Fit(sequences, task.Alphabet + task.Classes, options, ref rng, progress, cancellationToken);
            return new Predictor(task, [model], [], perClass: false, logLikelihood / sequences.Sum(s => s.Length));
        }

        public static Predictor PerClass(TaskGenerator task, IReadOnlyList<TaskSequence> train, HmmTrainingOptions options, ref Rng rng,
            IProgress<HmmIteration>? progress, CancellationToken cancellationToken)
        {
            var models = new Hmm[task.Classes];
            var priors = new double[task.Classes];
            double logLikelihood = 0;
            long symbols = 0;
            for (int c = 0; c < task.Classes; c++)
            {
                var sequences = train.Where(s => s.Label == c).Select(s => s.Symbols!).ToList();
                // A class absent from the training set keeps a random model and a tiny prior: it can still be scored.
                priors[c] = Math.Log((sequences.Count + 1.0) / (train.Count + task.Classes));
                if (sequences.Count == 0) { models[c] = Hmm.Random(options.States, task.Alphabet, ref rng); continue; }
                var (model, ll) = Fit(sequences, task.Alphabet, options, ref rng, progress, cancellationToken);
                models[c] = model;
                logLikelihood += ll;
                symbols += sequences.Sum(s => s.Length);
            }
            return new Predictor(task, models, priors, perClass: true, logLikelihood / Math.Max(symbols, 1));
        }

        /// <summary>Baum–Welch from <see cref="HmmTrainingOptions.Restarts"/> random starts; keeps the most likely model.</summary>
        private static (Hmm Model, double LogLikelihood) Fit(List<int[]> sequences, int symbols, HmmTrainingOptions options, ref Rng rng,
            IProgress<HmmIteration>? progress, CancellationToken cancellationToken)
        {
            Hmm? best = null;
            double bestLogLikelihood = double.NegativeInfinity;
            for (int r = 0; r < Math.Max(1, options.Restarts); r++)
            {
                var model = Hmm.Random(options.States, symbols, ref rng).BaumWelch(sequences, options, progress, cancellationToken);
                // The likelihood of the returned (last re-estimated) model, not of its predecessor.
                double ll = sequences.Sum(s => model.LogLikelihood(s));
                if (ll > bestLogLikelihood) { best = model; bestLogLikelihood = ll; }
            }
            return (best!, bestLogLikelihood);
        }

        /// <summary>What the task's criterion reads: class probabilities, or (Exp. 1) next-symbol probabilities per step.</summary>
        public float[] Outputs(TaskSequence sequence)
        {
            var symbols = sequence.Symbols!;
            if (_task.Classes == 0)
            {
                // Next-symbol prediction after every prefix of the input (the string without its final E).
                var steps = _models[0].PredictEachNext(symbols.AsSpan(0, symbols.Length - 1));
                var flat = new float[steps.Length * _task.Alphabet];
                for (int t = 0; t < steps.Length; t++)
                    for (int k = 0; k < _task.Alphabet; k++) flat[t * _task.Alphabet + k] = (float)steps[t][k];
                return flat;
            }
            var scores = new double[_task.Classes];
            if (_perClass)
                for (int c = 0; c < scores.Length; c++) scores[c] = _logPriors[c] + _models[c].LogLikelihood(symbols);
            else
            {
                var next = _models[0].PredictNext(symbols);
                for (int c = 0; c < scores.Length; c++) scores[c] = Math.Log(next[_task.Alphabet + c]);
            }
            double max = scores.Max(), sum = 0;
            for (int c = 0; c < scores.Length; c++) sum += scores[c] = Math.Exp(scores[c] - max);
            var p = new float[scores.Length];
            for (int c = 0; c < p.Length; c++) p[c] = (float)(scores[c] / sum);
            return p;
        }
    }
}
