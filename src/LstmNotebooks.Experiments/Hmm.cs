namespace LstmNotebooks.Experiments;

/// <summary>Baum–Welch settings.</summary>
/// <param name="States">Hidden states K.</param>
/// <param name="MaxIterations">EM iterations at most.</param>
/// <param name="Tolerance">Stop when the mean log-likelihood per symbol improves by less than this.</param>
/// <param name="Smoothing">Pseudo-count added to every expected count, so no probability becomes exactly 0 and an
/// unseen symbol in a test sequence cannot make its likelihood 0.</param>
/// <param name="Restarts">Independent random starts; the model with the highest training likelihood is kept (EM
/// finds local optima only).</param>
public sealed record HmmTrainingOptions(int States = 16, int MaxIterations = 100, double Tolerance = 1e-6, double Smoothing = 1e-3, int Restarts = 3);

/// <summary>One EM iteration's result.</summary>
public sealed record HmmIteration(int Iteration, double LogLikelihood);

/// <summary>
/// A discrete hidden Markov model: initial distribution π (K), transitions A (K×K, row = from), emissions Bm (K×M).
/// Immutable; Baum–Welch returns a new model. Forward–backward uses per-step scaling (Rabiner 1989), so
/// sequences of any length stay in floating-point range; log-likelihoods are sums of log scale factors.
/// </summary>
public sealed class Hmm
{
    private readonly double[] _pi;
    private readonly double[] _a;
    private readonly double[] _b;

    public Hmm(double[] initial, double[,] transitions, double[,] emissions)
    {
        ArgumentNullException.ThrowIfNull(initial);
        ArgumentNullException.ThrowIfNull(transitions);
        ArgumentNullException.ThrowIfNull(emissions);
        States = initial.Length;
        Symbols = emissions.GetLength(1);
        if (States == 0 || Symbols == 0) throw new ArgumentException("An HMM needs at least one state and one symbol.");
        if (transitions.GetLength(0) != States || transitions.GetLength(1) != States || emissions.GetLength(0) != States)
            throw new ArgumentException($"Shapes disagree: π has {States} states, A is {transitions.GetLength(0)}×{transitions.GetLength(1)}, B is {emissions.GetLength(0)}×{Symbols}.");
        _pi = (double[])initial.Clone();
        _a = new double[States * States];
        _b = new double[States * Symbols];
        for (int i = 0; i < States; i++)
        {
            for (int j = 0; j < States; j++) _a[i * States + j] = transitions[i, j];
            for (int k = 0; k < Symbols; k++) _b[i * Symbols + k] = emissions[i, k];
        }
        CheckStochastic(_pi, 1, States, "π");
        CheckStochastic(_a, States, States, "A");
        CheckStochastic(_b, States, Symbols, "B");
    }

    private Hmm(double[] pi, double[] a, double[] b, int states, int symbols)
    {
        _pi = pi;
        _a = a;
        _b = b;
        States = states;
        Symbols = symbols;
    }

    public int States { get; }
    public int Symbols { get; }
    public double Initial(int i) => _pi[i];
    public double Transition(int from, int to) => _a[from * States + to];
    public double Emission(int state, int symbol) => _b[state * Symbols + symbol];

    /// <summary>A random model, every row a Dirichlet(1) sample; the usual Baum–Welch starting point.</summary>
    public static Hmm Random(int states, int symbols, ref Rng rng)
    {
        if (states < 1) throw new ArgumentOutOfRangeException(nameof(states), states, "An HMM needs at least one state.");
        if (symbols < 1) throw new ArgumentOutOfRangeException(nameof(symbols), symbols, "An HMM needs at least one symbol.");
        var pi = Draw(1, states, ref rng);
        var a = Draw(states, states, ref rng);
        var b = Draw(states, symbols, ref rng);
        return new Hmm(pi, a, b, states, symbols);
    }

    /// <summary>log P(observations) by the scaled forward pass.</summary>
    public double LogLikelihood(ReadOnlySpan<int> observations)
    {
        var alpha = new double[States];
        var next = new double[States];
        return FilterInto(observations, alpha, next);
    }

    /// <summary>The filtered state distribution P(q_T | o_1 … o_T) after the observations (π for none).</summary>
    public double[] Filter(ReadOnlySpan<int> observations)
    {
        var alpha = new double[States];
        var next = new double[States];
        if (observations.IsEmpty) return (double[])_pi.Clone();
        FilterInto(observations, alpha, next);
        return alpha;
    }

    /// <summary>P(o_{T+1} = symbol | o_1 … o_T) for every symbol: filter, one transition, emission.</summary>
    public double[] PredictNext(ReadOnlySpan<int> observations)
    {
        var state = observations.IsEmpty ? (double[])_pi.Clone() : Propagate(Filter(observations));
        return EmitDistribution(state);
    }

    /// <summary>P(next symbol | prefix) after every prefix o_1 … o_t, t = 1 … T, in one forward pass (T × M).</summary>
    public double[][] PredictEachNext(ReadOnlySpan<int> observations)
    {
        var result = new double[observations.Length][];
        var alpha = new double[States];
        var next = new double[States];
        for (int t = 0; t < observations.Length; t++)
        {
            Step(t == 0 ? null : alpha, observations[t], next);
            Normalize(next);
            (alpha, next) = (next, alpha);
            result[t] = EmitDistribution(Propagate(alpha));
        }
        return result;
    }

    /// <summary>The most likely state path (Viterbi, in log space) and its joint log-probability log P(o, q).</summary>
    public (int[] Path, double LogProbability) Viterbi(ReadOnlySpan<int> observations)
    {
        int n = observations.Length, k = States;
        if (n == 0) return ([], 0);
        var delta = new double[k];
        var next = new double[k];
        var back = new int[n * k];
        for (int i = 0; i < k; i++) delta[i] = Math.Log(_pi[i]) + Math.Log(Emission(i, Check(observations[0])));
        for (int t = 1; t < n; t++)
        {
            int o = Check(observations[t]);
            for (int j = 0; j < k; j++)
            {
                double best = double.NegativeInfinity;
                int arg = 0;
                for (int i = 0; i < k; i++)
                {
                    double v = delta[i] + Math.Log(_a[i * k + j]);
                    if (v > best) { best = v; arg = i; }
                }
                next[j] = best + Math.Log(Emission(j, o));
                back[t * k + j] = arg;
            }
            (delta, next) = (next, delta);
        }
        int last = 0;
        for (int i = 1; i < k; i++) if (delta[i] > delta[last]) last = i;
        var path = new int[n];
        path[n - 1] = last;
        for (int t = n - 1; t > 0; t--) path[t - 1] = back[t * k + path[t]];
        return (path, delta[last]);
    }

    /// <summary>
    /// Baum–Welch (EM) over many sequences: scaled forward–backward, expected counts pooled across sequences, then
    /// re-estimation. Each iteration's total log-likelihood (of the model before that update) is reported; EM
    /// guarantees it never decreases (up to the smoothing pseudo-counts, which act as a Dirichlet prior).
    /// </summary>
    public Hmm BaumWelch(IReadOnlyList<int[]> sequences, HmmTrainingOptions options, IProgress<HmmIteration>? progress = null,
        CancellationToken cancellationToken = default)
        => BaumWelch(sequences, options, out _, progress, cancellationToken);

    public Hmm BaumWelch(IReadOnlyList<int[]> sequences, HmmTrainingOptions options, out IReadOnlyList<HmmIteration> history,
        IProgress<HmmIteration>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        ArgumentNullException.ThrowIfNull(options);
        if (sequences.Count == 0) throw new ArgumentException("Baum–Welch needs at least one sequence.", nameof(sequences));
        long symbols = 0;
        foreach (var s in sequences)
        {
            if (s is null || s.Length == 0) throw new ArgumentException("Every training sequence needs at least one symbol.", nameof(sequences));
            foreach (var o in s) Check(o);
            symbols += s.Length;
        }
        var model = this;
        var log = new List<HmmIteration>();
        double previous = double.NegativeInfinity;
        for (int iteration = 1; iteration <= options.MaxIterations; iteration++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (updated, logLikelihood) = model.EmStep(sequences, options.Smoothing);
            var record = new HmmIteration(iteration, logLikelihood);
            log.Add(record);
            progress?.Report(record);
            model = updated;
            if ((logLikelihood - previous) / symbols < options.Tolerance) break;
            previous = logLikelihood;
        }
        history = log;
        return model;
    }

    /// <summary>One EM update; returns the new model and the log-likelihood of the data under this (old) model.</summary>
    internal (Hmm Model, double LogLikelihood) EmStep(IReadOnlyList<int[]> sequences, double smoothing)
    {
        int k = States, m = Symbols;
        var piCount = new double[k];
        var aCount = new double[k * k];
        var bCount = new double[k * m];
        double total = 0;
        int maxLength = sequences.Max(s => s.Length);
        var alpha = new double[maxLength * k];
        var beta = new double[maxLength * k];
        var scale = new double[maxLength];
        var tmp = new double[k];
        foreach (var o in sequences)
        {
            int n = o.Length;
            // Forward, scaled so that Σ_i α_t(i) = 1; c_t is the scale.
            for (int i = 0; i < k; i++) alpha[i] = _pi[i] * _b[i * m + o[0]];
            scale[0] = NormalizeSpan(alpha.AsSpan(0, k));
            for (int t = 1; t < n; t++)
            {
                var prev = alpha.AsSpan((t - 1) * k, k);
                var cur = alpha.AsSpan(t * k, k);
                cur.Clear();
                for (int i = 0; i < k; i++)
                {
                    double ai = prev[i];
                    if (ai == 0) continue;
                    var row = _a.AsSpan(i * k, k);
                    for (int j = 0; j < k; j++) cur[j] += ai * row[j];
                }
                for (int j = 0; j < k; j++) cur[j] *= _b[j * m + o[t]];
                scale[t] = NormalizeSpan(cur);
            }
            for (int t = 0; t < n; t++) total += Math.Log(scale[t]);
            // Backward with the same scales, so α_t(i) β_t(i) is the posterior γ_t(i).
            beta.AsSpan((n - 1) * k, k).Fill(1.0);
            for (int t = n - 2; t >= 0; t--)
            {
                var nextBeta = beta.AsSpan((t + 1) * k, k);
                for (int j = 0; j < k; j++) tmp[j] = _b[j * m + o[t + 1]] * nextBeta[j];
                var cur = beta.AsSpan(t * k, k);
                double inv = 1.0 / scale[t + 1];
                for (int i = 0; i < k; i++)
                {
                    var row = _a.AsSpan(i * k, k);
                    double s = 0;
                    for (int j = 0; j < k; j++) s += row[j] * tmp[j];
                    cur[i] = s * inv;
                }
            }
            for (int t = 0; t < n; t++)
            {
                var a = alpha.AsSpan(t * k, k);
                var b = beta.AsSpan(t * k, k);
                for (int i = 0; i < k; i++)
                {
                    double gamma = a[i] * b[i];
                    if (t == 0) piCount[i] += gamma;
                    bCount[i * m + o[t]] += gamma;
                }
                if (t == n - 1) continue;
                // ξ_t(i, j) = α_t(i) A_ij B_j(o_{t+1}) β_{t+1}(j) / c_{t+1}
                var nextBeta = beta.AsSpan((t + 1) * k, k);
                double inv = 1.0 / scale[t + 1];
                for (int j = 0; j < k; j++) tmp[j] = _b[j * m + o[t + 1]] * nextBeta[j] * inv;
                for (int i = 0; i < k; i++)
                {
                    double ai = a[i];
                    if (ai == 0) continue;
                    var row = _a.AsSpan(i * k, k);
                    var count = aCount.AsSpan(i * k, k);
                    for (int j = 0; j < k; j++) count[j] += ai * row[j] * tmp[j];
                }
            }
        }
        var pi = new double[k];
        var newA = new double[k * k];
        var newB = new double[k * m];
        for (int i = 0; i < k; i++) pi[i] = piCount[i] + smoothing;
        NormalizeSpan(pi);
        for (int i = 0; i < k; i++)
        {
            for (int j = 0; j < k; j++) newA[i * k + j] = aCount[i * k + j] + smoothing;
            NormalizeSpan(newA.AsSpan(i * k, k));
            for (int s = 0; s < m; s++) newB[i * m + s] = bCount[i * m + s] + smoothing;
            NormalizeSpan(newB.AsSpan(i * m, m));
        }
        return (new Hmm(pi, newA, newB, k, m), total);
    }

    private double FilterInto(ReadOnlySpan<int> observations, double[] alpha, double[] next)
    {
        double logLikelihood = 0;
        for (int t = 0; t < observations.Length; t++)
        {
            Step(t == 0 ? null : alpha, observations[t], next);
            logLikelihood += Math.Log(Normalize(next));
            next.CopyTo(alpha, 0);
        }
        return logLikelihood;
    }

    // next_j = (Σ_i alpha_i A_ij) B_j(o), or π_j B_j(o) for the first step.
    private void Step(double[]? alpha, int symbol, double[] next)
    {
        int k = States, o = Check(symbol);
        if (alpha is null) for (int j = 0; j < k; j++) next[j] = _pi[j];
        else
        {
            Array.Clear(next);
            for (int i = 0; i < k; i++)
            {
                double ai = alpha[i];
                if (ai == 0) continue;
                for (int j = 0; j < k; j++) next[j] += ai * _a[i * k + j];
            }
        }
        for (int j = 0; j < k; j++) next[j] *= _b[j * Symbols + o];
    }

    private double[] Propagate(double[] state)
    {
        int k = States;
        var next = new double[k];
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++) next[j] += state[i] * _a[i * k + j];
        return next;
    }

    private double[] EmitDistribution(double[] state)
    {
        var p = new double[Symbols];
        for (int i = 0; i < States; i++)
            for (int s = 0; s < Symbols; s++) p[s] += state[i] * _b[i * Symbols + s];
        return p;
    }

    private int Check(int symbol)
    {
        if ((uint)symbol >= (uint)Symbols)
            throw new ArgumentOutOfRangeException(nameof(symbol), symbol, $"Symbol {symbol} is outside this HMM's alphabet [0, {Symbols}).");
        return symbol;
    }

    private static double Normalize(double[] v) => NormalizeSpan(v);

    private static double NormalizeSpan(Span<double> v)
    {
        double s = 0;
        foreach (var x in v) s += x;
        if (!(s > 0))
            throw new InvalidOperationException("The observations have probability 0 under this HMM (an emission or transition the model rules out).");
        double inv = 1.0 / s;
        for (int i = 0; i < v.Length; i++) v[i] *= inv;
        return s;
    }

    private static double[] Draw(int rows, int columns, ref Rng rng)
    {
        var m = new double[rows * columns];
        for (int r = 0; r < rows; r++)
        {
            var row = m.AsSpan(r * columns, columns);
            // Exponential draws normalised = a flat Dirichlet(1) sample: far enough from uniform that EM's symmetric
            // saddle point (where every state looks alike and the first iterations barely move) is avoided.
            for (int c = 0; c < columns; c++) row[c] = -Math.Log(1.0 - rng.NextDouble());
            NormalizeSpan(row);
        }
        return m;
    }

    private static void CheckStochastic(double[] m, int rows, int columns, string name)
    {
        for (int r = 0; r < rows; r++)
        {
            double s = 0;
            for (int c = 0; c < columns; c++)
            {
                double v = m[r * columns + c];
                if (!(v >= 0) || double.IsInfinity(v)) throw new ArgumentException($"{name}[{r}, {c}] = {v}; probabilities must be finite and ≥ 0.");
                s += v;
            }
            if (Math.Abs(s - 1) > 1e-9) throw new ArgumentException($"Row {r} of {name} sums to {s}; every row must sum to 1.");
        }
    }
}
