using LstmNotebooks.Experiments;

namespace LstmNotebooks.Experiments.Tests;

public class HmmTests
{
    private static Hmm Tiny(long seed = 1, int states = 3, int symbols = 4)
    {
        var rng = new Rng(seed);
        return Hmm.Random(states, symbols, ref rng);
    }

    private static IEnumerable<int[]> AllPaths(int states, int length)
    {
        var path = new int[length];
        while (true)
        {
            yield return (int[])path.Clone();
            int i = length - 1;
            while (i >= 0 && ++path[i] == states) path[i--] = 0;
            if (i < 0) yield break;
        }
    }

    private static double Joint(Hmm m, int[] path, int[] obs)
    {
        double p = m.Initial(path[0]) * m.Emission(path[0], obs[0]);
        for (int t = 1; t < obs.Length; t++) p *= m.Transition(path[t - 1], path[t]) * m.Emission(path[t], obs[t]);
        return p;
    }

    [Theory]
    [InlineData(1L, new[] { 0, 1, 2, 3, 0 })]
    [InlineData(2L, new[] { 3, 3, 3, 1, 0, 2 })]
    [InlineData(3L, new[] { 2 })]
    public void Forward_probability_equals_the_sum_over_every_state_path(long seed, int[] obs)
    {
        var m = Tiny(seed);
        double brute = AllPaths(m.States, obs.Length).Sum(path => Joint(m, path, obs));
        Assert.Equal(Math.Log(brute), m.LogLikelihood(obs), 12);
    }

    [Fact]
    public void Scaling_keeps_long_sequences_finite()
    {
        var m = Tiny();
        var rng = new Rng(4);
        var obs = Enumerable.Range(0, 20_000).Select(_ => rng.NextInt(4)).ToArray();
        double ll = m.LogLikelihood(obs);
        Assert.True(double.IsFinite(ll));
        Assert.InRange(ll / obs.Length, -2.0, -1.0);   // about log(1/4) per symbol for near-uniform emissions
    }

    [Theory]
    [InlineData(1L, new[] { 0, 1, 2, 3, 0 })]
    [InlineData(5L, new[] { 1, 1, 0, 0, 3, 2, 2 })]
    public void Viterbi_finds_the_most_likely_path_of_the_enumeration(long seed, int[] obs)
    {
        var m = Tiny(seed);
        var best = AllPaths(m.States, obs.Length).MaxBy(path => Joint(m, path, obs))!;
        var (path, logP) = m.Viterbi(obs);
        Assert.Equal(best, path);
        Assert.Equal(Math.Log(Joint(m, best, obs)), logP, 10);
    }

    [Fact]
    public void Next_symbol_prediction_is_the_ratio_of_enumerated_probabilities()
    {
        var m = Tiny(7);
        int[] prefix = [2, 0, 1];
        var predicted = m.PredictNext(prefix);
        double pPrefix = AllPaths(m.States, prefix.Length).Sum(p => Joint(m, p, prefix));
        for (int s = 0; s < m.Symbols; s++)
        {
            int[] extended = [.. prefix, s];
            double pExtended = AllPaths(m.States, extended.Length).Sum(p => Joint(m, p, extended));
            Assert.Equal(pExtended / pPrefix, predicted[s], 12);
        }
        var each = m.PredictEachNext(prefix);
        Assert.Equal(predicted, each[^1], new ToleranceComparer(1e-12));
    }

    [Fact]
    public void Baum_Welch_never_decreases_the_likelihood()
    {
        // Data from a structured HMM, a random start: EM must climb monotonically (no smoothing, pure maximum likelihood).
        var truth = new Hmm([1, 0], new double[,] { { 0.9, 0.1 }, { 0.2, 0.8 } }, new double[,] { { 0.7, 0.2, 0.1 }, { 0.1, 0.1, 0.8 } });
        var rng = new Rng(8);
        var data = new List<int[]>();
        for (int n = 0; n < 40; n++) data.Add(Sample(truth, 30, ref rng));
        var start = Tiny(9, states: 3, symbols: 3);
        start.BaumWelch(data, new HmmTrainingOptions(States: 3, MaxIterations: 60, Tolerance: 0, Smoothing: 0), out var history);
        Assert.True(history.Count >= 20, $"EM stopped after {history.Count} iterations");
        for (int i = 1; i < history.Count; i++)
            Assert.True(history[i].LogLikelihood >= history[i - 1].LogLikelihood - 1e-9 * Math.Abs(history[i - 1].LogLikelihood),
                $"iteration {i + 1}: {history[i].LogLikelihood} < {history[i - 1].LogLikelihood}");
        Assert.True(history[^1].LogLikelihood > history[0].LogLikelihood + 10);   // and it does learn
    }

    [Fact]
    public void Baum_Welch_recovers_a_sharp_two_state_model_well_enough_to_predict()
    {
        // Alternating states with distinct emissions: after EM the model should predict the alternation.
        var truth = new Hmm([1, 0], new double[,] { { 0.05, 0.95 }, { 0.95, 0.05 } }, new double[,] { { 0.9, 0.1 }, { 0.1, 0.9 } });
        var rng = new Rng(10);
        var data = Enumerable.Range(0, 50).Select(_ => Sample(truth, 40, ref rng)).ToList();
        var model = Tiny(11, states: 2, symbols: 2).BaumWelch(data, new HmmTrainingOptions(States: 2, MaxIterations: 200));
        var next = model.PredictNext([0, 1, 0, 1, 0]);
        Assert.True(next[1] > 0.75, $"P(1 | 01010) = {next[1]}");
    }

    [Fact]
    public void Invalid_models_and_symbols_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new Hmm([0.5, 0.6], new double[,] { { 1, 0 }, { 0, 1 } }, new double[,] { { 1 }, { 1 } }));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Tiny().LogLikelihood([0, 9]));
        Assert.Contains("outside this HMM's alphabet", e.Message);
    }

    private static int[] Sample(Hmm m, int length, ref Rng rng)
    {
        int Pick(Func<int, double> p, int n, ref Rng r)
        {
            double u = r.NextDouble(), c = 0;
            for (int i = 0; i < n; i++) if ((c += p(i)) > u) return i;
            return n - 1;
        }
        var obs = new int[length];
        int state = Pick(m.Initial, m.States, ref rng);
        for (int t = 0; t < length; t++)
        {
            if (t > 0) { int from = state; state = Pick(j => m.Transition(from, j), m.States, ref rng); }
            int s = state;
            obs[t] = Pick(k => m.Emission(s, k), m.Symbols, ref rng);
        }
        return obs;
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;
        public int GetHashCode(double obj) => 0;
    }
}
