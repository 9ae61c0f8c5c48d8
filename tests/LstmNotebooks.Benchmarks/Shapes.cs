namespace LstmNotebooks.Benchmarks;

/// <summary>The five float32 shapes (one LSTM layer): from batch-1 latency to a 4 MB recurrent weight.</summary>
public enum ShapeName { S1, S2, S3, S4, S5 }

/// <summary>What one call does: inference; forward + backward (∂L/∂ every weight and the input); a training step
/// with an Adam update through a reused session.</summary>
public enum Mode { Infer, Train, TrainAdam }

/// <summary>B = batch, T = steps, I = inputs, H = hidden units.</summary>
public sealed record LstmShape(ShapeName Name, int B, int T, int I, int H)
{
    public static LstmShape Of(ShapeName name) => name switch
    {
        ShapeName.S1 => new(name, 1, 100, 1, 32),
        ShapeName.S2 => new(name, 1, 1000, 1, 64),
        ShapeName.S3 => new(name, 32, 100, 8, 128),
        ShapeName.S4 => new(name, 64, 50, 64, 256),
        _ => new(name, 128, 100, 128, 512),
    };

    /// <summary>Matrix-product FLOPs of one forward pass, 2·4H·(I+H)·B·T (the cell's element-wise work is not counted).</summary>
    public double ForwardFlops => 2.0 * 4 * H * (I + H) * (double)B * T;

    /// <summary>Forward FLOPs for inference; 3× for the training modes (forward, ∂/∂inputs, ∂/∂weights).</summary>
    public double Flops(Mode mode) => mode == Mode.Infer ? ForwardFlops : 3 * ForwardFlops;
}
