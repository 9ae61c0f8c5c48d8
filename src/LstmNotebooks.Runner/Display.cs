using System.Text;
using LstmNotebooks.Runner;
using Microsoft.AspNetCore.Html;
using Microsoft.DotNet.Interactive;

namespace LstmNotebooks.Runner
{
    /// <summary>
    /// Collects what one cell produces: displayed values, return values, console text and errors, in order.
    /// Console writes from the cell's threads are appended to the last output when it is the same stream, as Jupyter shows them.
    /// </summary>
    internal sealed class CellOutputSink(ValueFormatter formatter)
    {
        private readonly Lock gate = new();
        private readonly List<CellOutput> outputs = [];
        private readonly StringBuilder stream = new();
        private StreamName? openStream;

        public DisplayedValue Display(object? value, IReadOnlyList<string> mimeTypes)
        {
            // Formatting runs outside the lock: it executes user formatters, which may write to the console.
            var output = formatter.Format(value, mimeTypes);
            lock (gate)
            {
                CloseStream();
                outputs.Add(output);
                return new DisplayedValue(this, outputs.Count - 1, mimeTypes);
            }
        }

        public void Add(CellOutput output)
        {
            lock (gate)
            {
                CloseStream();
                outputs.Add(output);
            }
        }

        public void Replace(int index, object? value, IReadOnlyList<string> mimeTypes)
        {
            var output = formatter.Format(value, mimeTypes);
            lock (gate)
            {
                outputs[index] = output;
            }
        }

        public void Write(StreamName name, string? text)
        {
            if (string.IsNullOrEmpty(text))
            {
                return;
            }

            lock (gate)
            {
                if (openStream != name)
                {
                    CloseStream();
                    openStream = name;
                }

                stream.Append(text);
            }
        }

        public IReadOnlyList<CellOutput> Snapshot()
        {
            lock (gate)
            {
                CloseStream();
                return outputs.ToArray();
            }
        }

        private void CloseStream()
        {
            if (openStream is { } name && stream.Length > 0)
            {
                // Merge with a directly preceding output of the same stream so that a cell shows one stdout block.
                if (outputs.Count > 0 && outputs[^1] is StreamOutput last && last.Stream == name)
                {
                    outputs[^1] = last with { Text = last.Text + stream };
                }
                else
                {
                    outputs.Add(new StreamOutput(name, stream.ToString()));
                }
            }

            stream.Clear();
            openStream = null;
        }
    }

    /// <summary>
    /// The cell being executed. Notebook code calls <c>display(x)</c> and <c>Console.WriteLine</c> without any handle to
    /// pass, so the runner finds the cell through an async-local value, as .NET Interactive's KernelInvocationContext.Current
    /// does. It flows into tasks and threads the cell starts.
    /// </summary>
    internal static class CellScope
    {
        private static readonly AsyncLocal<CellOutputSink?> CurrentSink = new();

        public static CellOutputSink? Current => CurrentSink.Value;

        public static CellOutputSink RequireCurrent() => CurrentSink.Value ?? throw new InvalidOperationException(
            "display() was called outside a notebook cell: only code the runner is executing can display values.");

        public static async Task<T> RunAsync<T>(CellOutputSink sink, Func<Task<T>> body)
        {
            ConsoleRouting.EnsureInstalled();
            // Inside an async method the assignment is undone for the caller when the method returns.
            CurrentSink.Value = sink;
            return await body().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Sends Console.Out and Console.Error of notebook code to the executing cell and everything else to the real console.
    /// The console is one per process, so the router is installed once and never removed.
    /// </summary>
    internal static class ConsoleRouting
    {
        private static readonly Lazy<bool> Installed = new(() =>
        {
            Console.SetOut(new RoutingWriter(Console.Out, StreamName.Stdout));
            Console.SetError(new RoutingWriter(Console.Error, StreamName.Stderr));
            return true;
        });

        public static void EnsureInstalled() => _ = Installed.Value;

        private sealed class RoutingWriter(TextWriter fallback, StreamName name) : TextWriter
        {
            public override Encoding Encoding => fallback.Encoding;

            public override void Write(char value)
            {
                if (CellScope.Current is { } sink) sink.Write(name, value.ToString());
                else fallback.Write(value);
            }

            public override void Write(string? value)
            {
                if (CellScope.Current is { } sink) sink.Write(name, value);
                else fallback.Write(value);
            }

            public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

            public override void WriteLine(string? value)
            {
                if (CellScope.Current is { } sink) sink.Write(name, value + NewLine);
                else fallback.WriteLine(value);
            }

            public override void WriteLine() => WriteLine("");

            public override void Flush()
            {
                if (CellScope.Current is null) fallback.Flush();
            }
        }
    }
}

namespace Microsoft.DotNet.Interactive
{
    /// <summary>
    /// A handle on a displayed value, as the kernel's <c>display()</c> returns: <see cref="Update"/> replaces the output in place.
    /// </summary>
    public sealed class DisplayedValue
    {
        private readonly CellOutputSink sink;
        private readonly int index;
        private readonly IReadOnlyList<string> mimeTypes;

        internal DisplayedValue(CellOutputSink sink, int index, IReadOnlyList<string> mimeTypes)
        {
            this.sink = sink;
            this.index = index;
            this.mimeTypes = mimeTypes;
        }

        public void Update(object? value) => sink.Replace(index, value, mimeTypes);

        public override string ToString() => "DisplayedValue";
    }

    /// <summary>
    /// The helpers .NET Interactive's C# kernel imports with <c>using static Microsoft.DotNet.Interactive.Kernel;</c>
    /// and its F# kernel with <c>open type</c>. The kernel packages cannot be installed here, so the runner provides them
    /// under the same names and notebooks run unchanged.
    /// </summary>
    public static class Kernel
    {
        // Lower-case on purpose: notebooks call display(x), the kernel's spelling.
#pragma warning disable IDE1006
        public static DisplayedValue display(object? value, params string[] mimeTypes) =>
            CellScope.RequireCurrent().Display(value, mimeTypes);
#pragma warning restore IDE1006

        public static IHtmlContent HTML(string content) => new HtmlString(content);

        public static IHtmlContent CSS(string content) => new HtmlString($"<style>{content}</style>");

        public static IHtmlContent Javascript(string code) => new HtmlString($"<script type=\"text/javascript\">{code}</script>");
    }
}

namespace System
{
    using Microsoft.DotNet.Interactive;

    /// <summary><c>x.Display()</c> works without a using because the kernel declared it in namespace System too.</summary>
    public static class DisplayExtensions
    {
        public static DisplayedValue Display(this object? value, params string[] mimeTypes) => Kernel.display(value, mimeTypes);
    }
}
