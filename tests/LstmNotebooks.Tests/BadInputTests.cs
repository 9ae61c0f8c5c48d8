namespace LstmNotebooks.Tests;

/// <summary>One test per bad input: a clear message naming expected and actual, and nothing corrupted.</summary>
public class BadInputTests
{
    private static readonly Model<double> Model3 = Lstm.Create(inputSize: 3, hiddenSize: 4).WithSeed(1).WithHead(Head.Regression()).Build<double>();

    private static Sequence<double> Seq(int steps, int features) => Sequence.FromFlat<double>(new double[steps * features], steps, features);

    [Fact]
    public void WrongFeatureCountNamesExpectedAndActual()
    {
        var before = Model3.Parameters.ToArray();
        var e = Assert.Throws<ArgumentException>(() => Model3.Predict(Seq(4, 5)));
        Assert.Contains("has 5 features per time step, but the model expects 3", e.Message);
        Assert.Throws<ArgumentException>(() => Model3.Trace(Seq(4, 2)));
        Assert.Throws<ArgumentException>(() => Model3.Run(SequenceBatch.Create([Seq(2, 1)])));
        var data = Dataset.Create([Sample.Create(Seq(3, 2), 0.0)]);
        e = Assert.Throws<ArgumentException>(() => Model3.Train(data, Training.Adam()));
        Assert.Contains("has 2 features per time step, but the model expects 3", e.Message);
        Assert.Equal(before, Model3.Parameters.ToArray());
    }

    [Fact]
    public void RaggedSequencesAreRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => Sequence.Create<double>([[1, 2, 3], [1, 2], [1, 2, 3]]));
        Assert.Contains("Time step 1 has 2 features, but step 0 has 3", e.Message);
        e = Assert.Throws<ArgumentException>(() => SequenceBatch.Create([Seq(4, 3), Seq(6, 3)]));
        Assert.Contains("Sequence 1 has 6 steps, but sequence 0 has 4", e.Message);
        Assert.Contains("FromVariableLength", e.Message);
        e = Assert.Throws<ArgumentException>(() => SequenceBatch.FromVariableLength([Seq(4, 3), Seq(6, 2)]));
        Assert.Contains("Sequence 1 has 2 features per time step, but sequence 0 has 3", e.Message);
        e = Assert.Throws<ArgumentException>(() => Dataset.Create([Sample.Create(Seq(2, 3), 1.0), Sample.Create(Seq(2, 4), 1.0)]));
        Assert.Contains("Sample 1 has 4 features per time step, but sample 0 has 3", e.Message);
        e = Assert.ThrowsAny<ArgumentException>(() => SequenceBatch.FromPadded<double>(new double[2 * 3 * 3], 2, 3, 3, [3, 4]));
        Assert.Contains("Length of sequence 1 is 4", e.Message);
    }

    [Fact]
    public void EmptySequenceOrBatchIsRejected()
    {
        Assert.Contains("at least one time step", Assert.Throws<ArgumentException>(() => Sequence.FromScalars<double>([])).Message);
        Assert.Contains("at least one time step", Assert.Throws<ArgumentException>(() => Sequence.Create<double>([])).Message);
        Assert.Contains("at least one sequence", Assert.Throws<ArgumentException>(() => SequenceBatch.Create<double>([])).Message);
        Assert.Contains("at least one sample", Assert.Throws<ArgumentException>(() => Dataset.Create<double>([])).Message);
        Assert.ThrowsAny<ArgumentException>(() => SequenceBatch.FromPadded<double>([], 0, 3, 3, []));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void NonFiniteInputsAndTargetsAreRejected(double bad)
    {
        var e = Assert.Throws<ArgumentException>(() => Sequence.FromFlat<double>([0, 1, bad, 3], 2, 2));
        Assert.Contains($"contains {bad} at step 1, feature 0", e.Message);
        Assert.Throws<ArgumentException>(() => Sample.Create(Seq(2, 3), bad));
        e = Assert.Throws<ArgumentException>(() => SequenceBatch.FromPadded<double>([0, 0, 0, bad], 2, 2, 1, [2, 2]));
        Assert.Contains("sample 1, step 1, feature 0", e.Message);
        Assert.Throws<ArgumentException>(() => Model3.WithParameter("bias_ih_l0", Enumerable.Repeat(bad, 16).ToArray()));
    }

    [Fact]
    public void NonPositiveSizesAreRejected()
    {
        Assert.Contains("input size", Assert.Throws<ArgumentOutOfRangeException>(() => Lstm.Create(0, 4)).Message);
        Assert.Contains("hidden size", Assert.Throws<ArgumentOutOfRangeException>(() => Gru.Create(3, -1)).Message);
        Assert.Contains("number of layers", Assert.Throws<ArgumentOutOfRangeException>(() => Rnn.Create(3, 4).WithLayers(0)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Head.Regression(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Head.Classification(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Training.Adam(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Training.Adam().WithBatchSize(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => Training.Adam().WithEpochs(-3));
        Assert.Throws<ArgumentOutOfRangeException>(() => Training.Adam().WithTruncation(0));
    }

    [Fact]
    public void ModelBuiltForOneInputSizeFedAnother()
    {
        var small = Lstm.Create(inputSize: 1, hiddenSize: 4).Build();
        var e = Assert.Throws<ArgumentException>(() => small.Predict(Sequence.FromFlat<float>([1, 2, 3, 4, 5, 6], 2, 3)));
        Assert.Contains("has 3 features per time step, but the model expects 1", e.Message);
        var state = RecurrentState<float>.Zeros(2, 1, 4, withCell: true);
        e = Assert.Throws<ArgumentException>(() => small.Run(SequenceBatch.Create([Sequence.FromScalars<float>([1f])]), state));
        Assert.Contains("layers 2", e.Message);
    }

    [Fact]
    public void TargetsThatDoNotFitTheHeadAreRejected()
    {
        var cls = Lstm.Create(3, 4).WithHead(Head.Classification(3)).Build<double>();
        var e = Assert.Throws<ArgumentException>(() => cls.Train(Dataset.Create([Sample.Class(Seq(2, 3), 7)]), Training.Adam()));
        Assert.Contains("class label 7", e.Message);
        e = Assert.Throws<ArgumentException>(() => Model3.Train(Dataset.Create([Sample.Create(Seq(2, 3), 1.0, 2.0)]), Training.Adam()));
        Assert.Contains("target rows have 2 values, but the head has 1 outputs", e.Message);
        var none = Lstm.Create(3, 4).Build<double>();
        Assert.Contains("no head", Assert.Throws<InvalidOperationException>(() => none.Train(Dataset.Create([Sample.Create(Seq(2, 3), 1.0)]), Training.Adam())).Message);
        Assert.Contains("validation split", Assert.Throws<InvalidOperationException>(() =>
            Model3.Train(Dataset.Create([Sample.Create(Seq(2, 3), 1.0)]), Training.Adam().WithEarlyStopping(2))).Message);
    }

    [Fact]
    public void BadInterventionsAreRejected()
    {
        Assert.Contains("no Reset gate", Assert.Throws<InvalidOperationException>(() => Model3.Trace(Seq(3, 3), Intervention.ClampGate(Gate.Reset, 0, 0))).Message);
        Assert.Contains("unit 9 does not exist", Assert.Throws<ArgumentOutOfRangeException>(() => Model3.Trace(Seq(3, 3), Intervention.ClampGate(Gate.Output, 9, 0))).Message);
        var rnn = Rnn.Create(3, 4).Build<double>();
        Assert.Contains("cell state", Assert.Throws<InvalidOperationException>(() => rnn.Trace(Seq(3, 3), Intervention.SetCellState(0, 1, 0))).Message);
    }

    private static byte[] SavedBytes()
    {
        using var ms = new MemoryStream();
        Model3.Save(ms);
        return ms.ToArray();
    }

    private static InvalidDataException LoadFails<T>(byte[] bytes) where T : unmanaged, System.Numerics.IBinaryFloatingPointIeee754<T>
        => Assert.Throws<InvalidDataException>(() => Model.Load<T>(new MemoryStream(bytes)));

    [Fact]
    public void CorruptedModelFileIsRejected()
    {
        var bytes = SavedBytes();
        bytes[bytes.Length / 2] ^= 0x40;
        Assert.Contains("corrupted", LoadFails<double>(bytes).Message);
    }

    [Fact]
    public void TruncatedModelFileIsRejected()
    {
        var bytes = SavedBytes();
        Assert.Contains("truncated", LoadFails<double>(bytes[..(bytes.Length - 100)]).Message);
        Assert.Contains("truncated", LoadFails<double>(bytes[..20]).Message);
        Assert.Contains("not a LstmNotebooks model file", LoadFails<double>(bytes[..3]).Message);
    }

    [Fact]
    public void WrongVersionModelFileIsRejected()
    {
        var bytes = SavedBytes();
        bytes[8] = 7;
        Assert.Contains("format version 7, but this library reads version 1", LoadFails<double>(bytes).Message);
    }

    [Fact]
    public void WrongKindOfFileIsRejected()
    {
        Assert.Contains("not a LstmNotebooks model file", LoadFails<double>("{\"cases\": []}"u8.ToArray()).Message);
        var e = LoadFails<float>(SavedBytes());
        Assert.Contains("holds double weights, but Load<Single> was asked for", e.Message);
        Assert.Throws<FileNotFoundException>(() => Model.Load<double>("/nonexistent/model.bin"));
    }
}
