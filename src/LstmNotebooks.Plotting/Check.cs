namespace LstmNotebooks.Plotting;

/// <summary>Validation for the option records' init accessors, so a record built with <c>with { … }</c> is checked as
/// well as one built by a <c>With…</c> method. Messages name the property, the value and what is allowed.</summary>
internal static class Check
{
    public static double Finite(double value, string name)
        => double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be a finite number, but was {value}.");

    public static double? Finite(double? value, string name) => value is double v ? Finite(v, name) : null;

    public static double Fraction(double value, string name)
        => value is >= 0 and <= 1 ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be a fraction in [0, 1], but was {value}.");

    public static double? Fraction(double? value, string name) => value is double v ? Fraction(v, name) : null;

    public static int AtLeast(int value, int min, string name, string unit = "")
        => value >= min ? value : throw new ArgumentOutOfRangeException(name, value, $"{name} must be at least {min}{unit}, but was {value}.");

    public static int? Step(int? value, string name)
        => value is int s && s < 0 ? throw new ArgumentOutOfRangeException(name, s, $"{name} is a time step and cannot be negative, but was {s}.") : value;

    public static string Text(string value, string name)
        => string.IsNullOrWhiteSpace(value) ? throw new ArgumentException($"{name} must not be empty.", name) : value;

    public static IReadOnlyList<T>? List<T>(IReadOnlyList<T>? value, string name)
        => value is { Count: 0 } ? throw new ArgumentException($"{name} is empty; leave it null for the default, or give at least one item.", name) : value;

    public static TEnum Defined<TEnum>(TEnum value, string name) where TEnum : struct, Enum
        => Enum.IsDefined(value) ? value
            : throw new ArgumentOutOfRangeException(name, value, $"{name} is {value}, which is not a {typeof(TEnum).Name}. Expected one of: {string.Join(", ", Enum.GetNames<TEnum>())}.");

    public static TEnum? Defined<TEnum>(TEnum? value, string name) where TEnum : struct, Enum => value is { } v ? Defined(v, name) : null;
}
