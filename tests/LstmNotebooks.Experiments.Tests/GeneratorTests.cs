using LstmNotebooks.Experiments;

namespace LstmNotebooks.Experiments.Tests;

/// <summary>Seeded draws for the generator tests.</summary>
internal static class Streams
{
    public static List<TaskSequence> Draw(TaskGenerator task, int count, long seed = 11)
    {
        var rng = new Rng(seed);
        return task.Generate(count, ref rng);
    }
}

public class GeneratorTests
{
    private static List<TaskSequence> Draw(TaskGenerator task, int count, long seed = 11) => Streams.Draw(task, count, seed);

    private static int[] Markers(Sequence<float> input) => Enumerable.Range(0, input.Steps).Where(t => input[t, 1] == 1f).ToArray();

    [Theory]
    [InlineData(100)]
    [InlineData(1000)]
    public void Adding_marks_two_pairs_in_the_right_ranges_and_the_target_is_half_plus_a_quarter_of_the_sum(int length)
    {
        foreach (var s in Draw(new AddingTask(length), 500))
        {
            var x = s.Sample.Input;
            Assert.InRange(x.Steps, length, length + length / 10);
            var marked = Markers(x);
            Assert.Equal(2, marked.Length);
            // X1 among the first 10 pairs, X2 among the first T/2 − 1; the two sets overlap, so either order.
            Assert.Contains(marked, t => t < 10);
            Assert.All(marked, t => Assert.True(t < length / 2 - 1));
            for (int t = 0; t < x.Steps; t++)
            {
                Assert.InRange(x[t, 0], -1f, 1f);
                float expected = marked.Contains(t) ? 1f : t == 0 || t == x.Steps - 1 ? -1f : 0f;
                Assert.Equal(expected, x[t, 1]);
            }
            double sum = marked.Sum(t => t == 0 ? 0.0 : x[t, 0]);
            Assert.Equal(0.5 + sum / 4, s.Target, 6);
            Assert.Equal((float)s.Target, s.Sample.Target[0, 0]);
        }
    }

    [Fact]
    public void Adding_lengths_cover_T_to_T_plus_a_tenth_and_the_first_marker_sits_in_the_first_ten_uniformly()
    {
        var all = Draw(new AddingTask(100), 4000);
        Assert.Equal(100, all.Min(s => s.Sample.Input.Steps));
        Assert.Equal(110, all.Max(s => s.Sample.Input.Steps));
        var firstPositions = all.Select(s => Markers(s.Sample.Input).Min()).ToArray();
        Assert.All(firstPositions, p => Assert.InRange(p, 0, 9));
        for (int p = 0; p < 10; p++) Assert.InRange(firstPositions.Count(x => x == p), 200, 700);
        // The target's mean is 0.5 and its variance (X1 + X2)/4 ≈ 2·(1/3)/16.
        Assert.InRange(all.Average(s => s.Target), 0.49, 0.51);
        Assert.InRange(all.Average(s => (s.Target - 0.5) * (s.Target - 0.5)), 0.036, 0.047);
    }

    [Fact]
    public void Multiplication_uses_unit_interval_values_and_the_product_as_target()
    {
        foreach (var s in Draw(new MultiplicationTask(100), 500))
        {
            var x = s.Sample.Input;
            var marked = Markers(x);
            Assert.Equal(2, marked.Length);
            for (int t = 0; t < x.Steps; t++) Assert.InRange(x[t, 0], 0f, 1f);
            double product = marked.Aggregate(1.0, (p, t) => p * (t == 0 ? 1.0 : x[t, 0]));
            Assert.Equal(product, s.Target, 6);
        }
    }

    [Fact]
    public void Exp2a_is_the_class_symbol_then_a1_to_ap_minus_1_and_classes_are_balanced()
    {
        var task = new NoiseFreeLongLagTask(100);
        Assert.Equal(101, task.InputSize);
        var all = Draw(task, 2000);
        foreach (var s in all)
        {
            Assert.Equal(100, s.Symbols!.Length);
            Assert.Equal(s.Label, s.Symbols[0]);
            for (int i = 1; i < 100; i++) Assert.Equal(i + 1, s.Symbols[i]);
            Assert.Equal(1f, s.Sample.Input[0, s.Label]);
            Assert.Equal(s.Label, (int)s.Sample.Target[0, 0]);
        }
        Assert.InRange(all.Count(s => s.Label == 1), 900, 1100);
    }

    [Theory]
    [InlineData(100, 100)]
    [InlineData(1000, 50)]
    public void Exp2c_has_b_then_the_class_then_at_least_q_distractors_and_ends_at_the_only_trigger(int q, int p)
    {
        var task = new LongLagWithDistractorsTask(q, p);
        Assert.Equal(p + 4, task.InputSize);
        var all = Draw(task, 2000);
        foreach (var s in all)
        {
            var sym = s.Symbols!;
            Assert.Equal(LongLagWithDistractorsTask.B, sym[0]);
            Assert.Equal(LongLagWithDistractorsTask.X + s.Label, sym[1]);
            Assert.Equal(LongLagWithDistractorsTask.E, sym[^1]);
            Assert.True(sym.Length >= q + 3);
            for (int t = 2; t < sym.Length - 1; t++) Assert.InRange(sym[t], 4, p + 3);
        }
        // After q distractors each further element is the trigger with probability 1/10: 9 more on average, so the
        // input (b, c, q + k distractors, e) has mean length q + 12.
        Assert.InRange(all.Average(s => s.Symbols!.Length), q + 12 - 0.8, q + 12 + 0.8);
        Assert.InRange(all.Count(s => s.Label == 1), 900, 1100);
        // Distractors are drawn from the whole set.
        Assert.Equal(p, all.SelectMany(s => s.Symbols!.Skip(2).SkipLast(1)).Distinct().Count());
    }

    [Fact]
    public void Temporal_order_places_two_events_in_their_windows_among_distractors_and_classes_follow_their_order()
    {
        var task = new TemporalOrderTask(40);
        var all = Draw(task, 4000);
        foreach (var s in all)
        {
            var sym = s.Symbols!;
            Assert.InRange(sym.Length, 100, 110);
            Assert.Equal(TemporalOrderTask.E, sym[0]);
            Assert.Equal(TemporalOrderTask.B, sym[^1]);
            var events = Enumerable.Range(0, sym.Length).Where(t => sym[t] is TemporalOrderTask.X or TemporalOrderTask.Y).ToArray();
            Assert.Equal(2, events.Length);
            Assert.InRange(events[0], 10, 20);
            Assert.InRange(events[1], 50, 60);
            for (int t = 1; t < sym.Length - 1; t++) if (!events.Contains(t)) Assert.InRange(sym[t], 4, 7);
            int expected = 2 * (sym[events[0]] - TemporalOrderTask.X) + (sym[events[1]] - TemporalOrderTask.X);
            Assert.Equal(expected, s.Label);
        }
        for (int c = 0; c < 4; c++) Assert.InRange(all.Count(s => s.Label == c), 850, 1150);
    }

    [Theory]
    [InlineData(10)]
    [InlineData(1000)]
    public void Remember_first_is_the_class_then_N_distractors(int n)
    {
        var all = Draw(new RememberFirstTask(n), 1000);
        foreach (var s in all)
        {
            Assert.Equal(n + 1, s.Sample.Input.Steps);
            Assert.Equal(s.Label, s.Symbols![0]);
            Assert.All(s.Symbols.Skip(1), x => Assert.InRange(x, 2, 5));
        }
        Assert.InRange(all.Count(s => s.Label == 1), 430, 570);
    }

    [Fact]
    public void Same_seed_gives_the_same_stream_and_another_seed_does_not()
    {
        foreach (LongGapTask task in Enum.GetValues<LongGapTask>())
        {
            var g = TaskGenerators.Create(task, TaskGenerators.DefaultLag(task));
            var a = Draw(g, 20, 5);
            var b = Draw(g, 20, 5);
            var c = Draw(g, 20, 6);
            Assert.Equal(a.Select(s => s.Sample.Input.Values.ToArray()), b.Select(s => s.Sample.Input.Values.ToArray()));
            Assert.NotEqual(a.Select(s => s.Sample.Input.Values.ToArray()), c.Select(s => s.Sample.Input.Values.ToArray()));
        }
    }

    [Fact]
    public void Too_short_lags_are_refused_with_a_message()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new AddingTask(10));
        Assert.Contains("at least 22", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new LongLagWithDistractorsTask(10, 0));
    }

    [Fact]
    public void Per_sequence_criteria_use_the_papers_thresholds()
    {
        var twoA = new NoiseFreeLongLagTask(10);
        var s = Draw(twoA, 1)[0];
        float[] Probabilities(float right) => s.Label == 0 ? [right, 1 - right] : [1 - right, right];
        Assert.True(twoA.IsCorrect(Probabilities(0.76f), s));
        Assert.False(twoA.IsCorrect(Probabilities(0.74f), s));
        var twoC = new LongLagWithDistractorsTask(10, 10);
        var c = Draw(twoC, 1)[0];
        float[] P2(float right) => c.Label == 0 ? [right, 1 - right] : [1 - right, right];
        Assert.True(twoC.IsCorrect(P2(0.81f), c));
        Assert.False(twoC.IsCorrect(P2(0.79f), c));
        var adding = new AddingTask(100);
        var a = Draw(adding, 1)[0];
        Assert.True(adding.IsCorrect([(float)a.Target + 0.039f], a));
        Assert.False(adding.IsCorrect([(float)a.Target - 0.041f], a));
    }
}

public class ReberTests
{
    [Fact]
    public void Generated_strings_are_in_the_language_and_repeat_the_second_symbol()
    {
        var rng = new Rng(3);
        var lengths = new List<int>();
        for (int i = 0; i < 2000; i++)
        {
            var s = ReberGrammar.Embedded(ref rng);
            Assert.True(ReberGrammar.IsEmbeddedReber(s), ReberGrammar.ToText(s));
            Assert.Equal(s[1], s[^2]);
            lengths.Add(s.Length);
        }
        Assert.Equal(9, lengths.Min());                     // BT BTXSE TE: the shortest embedded string
        Assert.True(lengths.Count(l => l > 15) > 150);      // loops in the inner grammar make long strings
    }

    [Theory]
    [InlineData("BTBTXSETE", true)]
    [InlineData("BPBPVVEPE", true)]
    [InlineData("BTBPTTVPXVVETE", true)]
    [InlineData("BTBTXSEPE", false)]   // the repeated symbol differs from the second
    [InlineData("BTBTSSETE", false)]   // S cannot follow the inner T
    [InlineData("BTBTXSTE", false)]    // the inner string never ends
    [InlineData("TTBTXSETE", false)]
    public void Validity_follows_the_grammar(string text, bool valid)
    {
        var symbols = text.Select(ch => ReberGrammar.Letters.IndexOf(ch)).ToArray();
        Assert.Equal(valid, ReberGrammar.IsEmbeddedReber(symbols));
    }

    [Fact]
    public void Legal_successors_are_those_of_the_grammar_and_the_only_long_lag_one_is_the_repeat()
    {
        var symbols = "BPBTXSEPE".Select(ch => ReberGrammar.Letters.IndexOf(ch)).ToArray();
        var legal = ReberGrammar.LegalSuccessors(symbols)!;
        string Set(int t) => string.Concat(Enumerable.Range(0, 7).Where(k => legal[t][k]).Select(k => ReberGrammar.Letters[k]));
        Assert.Equal(["TP", "B", "TP", "SX", "SX", "E", "P", "E"], Enumerable.Range(0, legal.Length).Select(Set));
    }

    [Fact]
    public void The_criterion_accepts_the_legal_sets_and_rejects_a_wrong_repeat_prediction()
    {
        var task = new EmbeddedReberTask();
        var rng = new Rng(9);
        var s = task.Next(ref rng);
        var perfect = s.Sample.Target.Values.ToArray();
        Assert.True(task.IsCorrect(perfect, s));
        var wrong = (float[])perfect.Clone();
        int repeatStep = s.Sample.Target.Steps - 2;              // predicting the repeated T/P
        int right = s.Symbols![1], other = right == ReberGrammar.T ? ReberGrammar.P : ReberGrammar.T;
        wrong[repeatStep * 7 + right] = 0.4f;
        wrong[repeatStep * 7 + other] = 0.6f;
        Assert.False(task.IsCorrect(wrong, s));
    }
}

public class DecisionTests
{
    [Fact]
    public void Decisions_take_the_most_probable_class_and_ties_go_to_the_lowest_like_a_constant_guess()
    {
        var task = new TemporalOrderTask(40);
        var rng = new Rng(1);
        var s = task.Generate(50, ref rng).First(x => x.Label == 2);
        Assert.True(task.IsDecisionRight([0.1f, 0.2f, 0.6f, 0.1f], s));
        Assert.False(task.IsCorrect([0.1f, 0.2f, 0.6f, 0.1f], s));          // 0.4 away from 1: fails the 0.3 criterion
        Assert.True(task.IsCorrect([0.05f, 0.05f, 0.8f, 0.1f], s));
        Assert.False(task.IsDecisionRight([0.25f, 0.25f, 0.25f, 0.25f], s));
        var zero = task.Generate(50, ref rng).First(x => x.Label == 0);
        Assert.True(task.IsDecisionRight([0.25f, 0.25f, 0.25f, 0.25f], zero));
    }
}
