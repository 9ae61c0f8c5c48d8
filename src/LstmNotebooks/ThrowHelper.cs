using System.Diagnostics.CodeAnalysis;

namespace LstmNotebooks;

/// <summary>The one place where the library words its errors: what is wrong, expected against actual, and a hint.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void Argument(string paramName, string message) => throw new ArgumentException(message, paramName);

    [DoesNotReturn]
    public static void OutOfRange(string paramName, object? actual, string message)
        => throw new ArgumentOutOfRangeException(paramName, actual, message);

    public static void RequirePositive(int value, string paramName, string what)
    {
        if (value <= 0) OutOfRange(paramName, value, $"{what} must be positive, but was {value}.");
    }

    public static void RequirePositive(double value, string paramName, string what)
    {
        if (!(value > 0) || double.IsInfinity(value))
            OutOfRange(paramName, value, $"{what} must be a positive finite number, but was {value}.");
    }

    public static void RequireFinite(double value, string paramName, string what)
    {
        if (!double.IsFinite(value)) OutOfRange(paramName, value, $"{what} must be finite, but was {value}.");
    }

    public static void RequireInRange(double value, double min, double max, string paramName, string what)
    {
        if (!(value >= min && value <= max)) OutOfRange(paramName, value, $"{what} must be in [{min}, {max}], but was {value}.");
    }

    [DoesNotReturn]
    public static void FeatureMismatch(int actual, int expected, string where)
        => throw new ArgumentException(
            $"{where} has {actual} features per time step, but the model expects {expected}. " +
            "Hint: the model's input size is fixed when it is built (Lstm.Create(inputSize: …)).");

    [DoesNotReturn]
    public static void NotFinite(string what, int sample, int step, int feature, double value)
        => throw new ArgumentException(
            $"{what} contains {value} at sample {sample}, step {step}, feature {feature}; every value must be finite. " +
            "Hint: drop or interpolate missing values before building the dataset.");

    [DoesNotReturn]
    public static void Format(string message) => throw new InvalidDataException(message);

    [DoesNotReturn]
    public static void InvalidOperation(string message) => throw new InvalidOperationException(message);

    /// <summary>A model a file format cannot express (e.g. an ONNX operator without the feature).</summary>
    [DoesNotReturn]
    public static void NotSupported(string message) => throw new NotSupportedException(message);
}
