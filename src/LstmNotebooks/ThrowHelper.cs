using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace LstmNotebooks;

/// <summary>The one place where the library words its errors: what is wrong, expected against actual, and a hint.</summary>
internal static class ThrowHelper
{
    [DoesNotReturn]
    public static void Argument(string paramName, string message) => throw new ArgumentException(message, paramName);

    [DoesNotReturn]
    public static void OutOfRange(string paramName, object? actual, string message)
        => throw new ArgumentOutOfRangeException(paramName, actual, message);

    public static int RequirePositive(int value, string paramName, string what)
    {
        if (value <= 0) OutOfRange(paramName, value, $"{what} must be positive, but was {value}.");
        return value;
    }

    public static double RequirePositive(double value, string paramName, string what)
    {
        if (!(value > 0) || double.IsInfinity(value))
            OutOfRange(paramName, value, $"{what} must be a positive finite number, but was {value}.");
        return value;
    }

    public static double RequireFinite(double value, string paramName, string what)
    {
        if (!double.IsFinite(value)) OutOfRange(paramName, value, $"{what} must be finite, but was {value}.");
        return value;
    }

    public static double? RequireFinite(double? value, string paramName, string what)
        => value is double v ? RequireFinite(v, paramName, what) : null;

    public static double RequireInRange(double value, double min, double max, string paramName, string what)
    {
        if (!(value >= min && value <= max)) OutOfRange(paramName, value, $"{what} must be in [{min}, {max}], but was {value}.");
        return value;
    }

    /// <summary>[min, max): for rates such as Adam's betas or momentum, where max itself breaks the arithmetic.</summary>
    public static double RequireInHalfOpen(double value, double min, double max, string paramName, string what, string hint)
    {
        if (!(value >= min && value < max)) OutOfRange(paramName, value, $"{what} must be in [{min}, {max}), but was {value}. Hint: {hint}");
        return value;
    }

    public static int RequireInRange(int value, int min, int max, string paramName, string what)
    {
        if (value < min || value > max) OutOfRange(paramName, value, $"{what} must be in [{min}, {max}], but was {value}.");
        return value;
    }

    /// <summary>An enum value that names one of its members (a cast such as <c>(HeadKind)42</c> does not).</summary>
    public static TEnum RequireDefined<TEnum>(TEnum value, string paramName) where TEnum : struct, Enum
    {
        if (!Enum.IsDefined(value))
            OutOfRange(paramName, value,
                $"{paramName} is {value}, which is not a {typeof(TEnum).Name}. Expected one of: {string.Join(", ", Enum.GetNames<TEnum>())}.");
        return value;
    }

    /// <summary>An index into something of <paramref name="count"/> items.</summary>
    public static int RequireIndex(int index, int count, string paramName, string what)
    {
        if ((uint)index >= (uint)count)
            OutOfRange(paramName, index, count == 0
                ? $"{what} {index} does not exist: there are none."
                : $"{what} {index} does not exist; expected 0..{count - 1}.");
        return index;
    }

    public static T RequireNotNull<T>([NotNull] T? value, string paramName, string what) where T : class
        => value ?? throw new ArgumentNullException(paramName, $"{what} is null.");

    /// <summary>A sum or product of sizes computed in 64 bits, as the length of one array: refused with the size that
    /// was asked for when no .NET array can be that long (instead of wrapping around in 32-bit arithmetic).</summary>
    public static int ArrayLength(double length, string paramName, string what, string hint)
    {
        if (length < 0 || length > Array.MaxLength)
            OutOfRange(paramName, length, Invariant(
                $"{what} needs {length:N0} values in one array, more than the {Array.MaxLength:N0} a .NET array can hold. Hint: {hint}"));
        return (int)length;
    }

    /// <summary>Refuses to start an allocation of <paramref name="bytes"/> that cannot fit in the memory this process may
    /// use, so a huge size gives this message instead of an out-of-memory failure part-way through.</summary>
    public static void RequireMemory(double bytes, string paramName, string what, string hint)
    {
        // Below this the question is not worth asking (and GetGCMemoryInfo allocates, which inference must not).
        if (bytes < MemoryWorthChecking) return;
        long available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (available > 0 && bytes > available)
            OutOfRange(paramName, null, Invariant(
                $"{what} needs about {Gigabytes(bytes)} of memory, but this process can use at most {Gigabytes(available)}. Hint: {hint}"));
    }

    /// <summary><see cref="ArrayLength"/> and <see cref="RequireMemory"/> for <paramref name="copies"/> arrays of
    /// <paramref name="length"/> values of <typeparamref name="T"/>: the length to allocate, once both hold.</summary>
    public static int AllocationLength<T>(double length, string paramName, string what, string hint, int copies = 1) where T : unmanaged
    {
        int n = ArrayLength(length, paramName, what, hint);
        RequireMemory((double)n * System.Runtime.CompilerServices.Unsafe.SizeOf<T>() * copies, paramName, what, hint);
        return n;
    }

    /// <summary>Converts between precisions, refusing a value the target cannot hold: CreateChecked turns a double
    /// beyond ±3.4e38 into a float ∞ without a word. <paramref name="name"/> words element i for the message.</summary>
    public static void ConvertFinite<TFrom, TTo>(ReadOnlySpan<TFrom> source, Span<TTo> target, Func<int, string> name, string hint)
        where TFrom : System.Numerics.INumberBase<TFrom> where TTo : System.Numerics.IFloatingPointIeee754<TTo>
    {
        for (int i = 0; i < source.Length; i++)
        {
            target[i] = TTo.CreateChecked(source[i]);
            if (!TTo.IsFinite(target[i]))
                throw new OverflowException($"{name(i)} is {source[i]}, which {typeof(TTo).Name} cannot hold (it would become {target[i]}). Hint: {hint}");
        }
    }

    /// <summary>256 MB.</summary>
    public const double MemoryWorthChecking = 1 << 28;

    /// <summary>Every value finite (a NaN or ∞ in an upstream gradient would turn every gradient into NaN).</summary>
    public static void RequireAllFinite<T>(ReadOnlySpan<T> values, string paramName, string what) where T : System.Numerics.IFloatingPointIeee754<T>
    {
        int i = FirstNonFinite(values);
        if (i >= 0) Argument(paramName, Invariant($"{what} contains {values[i]} at index {i}; every value must be finite."));
    }

    /// <summary>The index of the first NaN or ∞, or −1. In whole vectors first (x − x is 0 exactly when x is finite), then
    /// element by element from the first vector that held one: a check of every upstream gradient before each
    /// backward pass was 1.2 % of an S3 training call one element at a time.</summary>
    internal static int FirstNonFinite<T>(ReadOnlySpan<T> values) where T : System.Numerics.IFloatingPointIeee754<T>
    {
        int i = 0;
        if (typeof(T) == typeof(float))
            i = FinitePrefix(MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<T, float>(ref MemoryMarshal.GetReference(values)), values.Length));
        else if (typeof(T) == typeof(double))
            i = FinitePrefix(MemoryMarshal.CreateReadOnlySpan(ref Unsafe.As<T, double>(ref MemoryMarshal.GetReference(values)), values.Length));
        for (; i < values.Length; i++)
            if (!T.IsFinite(values[i])) return i;
        return -1;
    }

    // The length of the run of whole vectors, from the start, that holds only finite values.
    private static int FinitePrefix<F>(ReadOnlySpan<F> values) where F : unmanaged, IFloatingPointIeee754<F>
    {
        int i = 0, count = Vector<F>.Count;
        for (; i + count <= values.Length; i += count)
        {
            var v = new Vector<F>(values.Slice(i, count));
            if (!Vector.EqualsAll(v - v, Vector<F>.Zero)) return i;
        }
        return i;
    }

    public static string Gigabytes(double bytes) => Invariant($"{bytes / (1L << 30):0.##} GB");

    public static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

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

    /// <summary>Models exist in float and double only: the kernels, the file format and the parity tests cover those.</summary>
    public static void RequireModelPrecision<T>()
    {
        if (typeof(T) != typeof(float) && typeof(T) != typeof(double))
            NotSupported(
                $"Models exist in float and double precision only, not {typeof(T).Name}. Hint: Build<float>() or Build<double>(), and ConvertTo<float>() or ConvertTo<double>().");
    }

    /// <summary>A model a file format cannot express (e.g. an ONNX operator without the feature).</summary>
    [DoesNotReturn]
    public static void NotSupported(string message) => throw new NotSupportedException(message);
}
