namespace LstmNotebooks.Data;

/// <summary>What was wrong with the input a DataFrame adapter was given.</summary>
public enum DataProblem
{
    MissingColumn,
    NonNumericColumn,
    MissingValues,
    TooFewRows,
    DateOutOfOrder,
    InvalidDate,
    InvalidOptions,
    ConstantColumn,
    /// <summary>CSV text whose rows do not match its header, or with a quote that is never closed.</summary>
    MalformedCsv,
    /// <summary>More values than an array (or this process's memory) can hold.</summary>
    TooLarge,
}

/// <summary>
/// Bad input to a DataFrame adapter. The message says what is wrong, what was expected against what was found, and a
/// hint; <see cref="Problem"/>, <see cref="Column"/> and <see cref="Row"/> let code react without parsing it. The input
/// frame is never modified, whether or not this is thrown.
/// </summary>
public sealed class DataInputException : ArgumentException
{
    public DataInputException(DataProblem problem, string message, string? column = null, long? row = null, string? paramName = null)
        : base(message, paramName)
    {
        Problem = problem;
        Column = column;
        Row = row;
    }

    public DataProblem Problem { get; }

    /// <summary>The column at fault, when there is one.</summary>
    public string? Column { get; }

    /// <summary>The first row index (0-based, in the input frame) at fault, when there is one.</summary>
    public long? Row { get; }
}
