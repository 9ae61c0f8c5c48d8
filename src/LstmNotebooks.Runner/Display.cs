using System.Text;
using LstmNotebooks.Runner;
using Microsoft.AspNetCore.Html;
using Microsoft.DotNet.Interactive.Formatting;

namespace LstmNotebooks.Runner
{
    /// <summary>
    /// Receives what one cell produces (displayed values, return values, console text, errors) and sends it on at
    /// once, so nothing is lost if the process dies. Console text beyond the line cap is counted, not kept.
    /// </summary>
    internal sealed class CellOutputSink(int cell, ValueFormatter formatter, ProtocolWriter writer, int maxLines)
    {
        private readonly Lock _gate = new();
        private long _lines;
        private long _chars;
        private long _dropped;

        public int Cell => cell;

        public bool HasChart { get; private set; }

        /// <summary>A value shown by the runner itself (a cell's result, #!who): formatted with the value's preferred mime types.</summary>
        public void Display(object? value, IReadOnlyList<string> mimeTypes, bool isResult = false) =>
            Add(formatter.Format(value, mimeTypes) with { IsResult = isResult });

        /// <summary>A <c>display(x)</c> / <c>x.Display()</c> / <c>handle.Update(y)</c> of notebook code, from the Formatting library's event.</summary>
        public void Displayed(DisplayedValue value)
        {
            if (!value.IsUpdated) DisplayHandles.Shown(value);
            var output = new DisplayOutput(value.FormattedValues.Where(f => !f.SuppressDisplay)
                .ToDictionary(f => f.MimeType, f => f.Value, StringComparer.Ordinal)) { DisplayId = DisplayHandles.IdOf(value) };
            if (value.IsUpdated) writer.Send(Protocol.Output(cell, output, update: true));
            else Add(output);
        }

        public void Add(CellOutput output)
        {
            if (output is DisplayOutput { Kind: DisplayKind.Chart }) HasChart = true;
            writer.Send(Protocol.Output(cell, output));
        }

        public void Write(StreamName name, string? text)
        {
            if (string.IsNullOrEmpty(text)) return;
            lock (_gate)
            {
                if (_lines >= maxLines)
                {
                    _dropped += Count(text);
                    writer.Write(cell, name, "", _dropped);
                    return;
                }

                // One huge line is capped too: at 200 characters per allowed line on average.
                if (_chars + text.Length > maxLines * 200L)
                {
                    var room = (int)Math.Max(0, maxLines * 200L - _chars);
                    _dropped += Count(text.AsSpan(room)) + 1;
                    _lines = maxLines;
                    writer.Write(cell, name, text[..room] + "\n", _dropped);
                    return;
                }

                _chars += text.Length;
                var newlines = Count(text);
                if (_lines + newlines > maxLines)
                {
                    // Keep whole lines up to the cap; count the rest.
                    var keep = (int)(maxLines - _lines);
                    var end = 0;
                    for (var i = 0; i < keep; i++) end = text.IndexOf('\n', end) + 1;
                    _dropped += newlines - keep + (text.Length > 0 && text[^1] != '\n' ? 1 : 0);
                    _lines = maxLines;
                    writer.Write(cell, name, text[..end], _dropped);
                    return;
                }

                _lines += newlines;
                writer.Write(cell, name, text, _dropped);
            }
        }

        private static int Count(ReadOnlySpan<char> text) => text.Count('\n');
    }

    /// <summary>
    /// The display id a <c>display(x)</c> handle updates. The Formatting library's <c>Display()</c> raises its event with
    /// one DisplayedValue and returns another (same formatted-value list, a display id of its own), so an update
    /// through the returned handle would name a display nobody showed; <c>display</c> links the handle to the id shown.
    /// </summary>
    internal static class DisplayHandles
    {
        private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IReadOnlyList<FormattedValue>, string> s_shown = new();
        private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<DisplayedValue, string> s_handles = new();

        public static void Shown(DisplayedValue value) => s_shown.AddOrUpdate(value.FormattedValues, value.DisplayId);

        /// <summary>Called with the value <c>Display()</c> returned: from now on it updates the display that was shown.</summary>
        public static DisplayedValue Link(DisplayedValue handle)
        {
            if (s_shown.TryGetValue(handle.FormattedValues, out var id)) s_handles.AddOrUpdate(handle, id);
            return handle;
        }

        public static string IdOf(DisplayedValue value) => s_handles.TryGetValue(value, out var id) ? id : value.DisplayId;
    }

    /// <summary>
    /// The cell being executed. Notebook code calls <c>display(x)</c> and <c>Console.WriteLine</c> without any handle to
    /// pass, so the runner finds the cell through an async-local value, as .NET Interactive's KernelInvocationContext.Current
    /// does. It flows into tasks and threads the cell starts, so their output, even when it arrives during a later
    /// cell, is attributed to the cell that started them.
    /// </summary>
    internal static class CellScope
    {
        private static readonly AsyncLocal<CellOutputSink?> s_current = new();

        /// <summary>The cell that runs now: output from code that carries no cell (a thread pool callback without context) goes there.</summary>
        public static CellOutputSink? Running { get; set; }

        public static CellOutputSink? Current => s_current.Value ?? Running;

        public static CellOutputSink RequireCurrent() => Current ?? throw new InvalidOperationException(
            "display() was called outside a notebook cell: only code the runner is executing can display values.");

        /// <summary>Displayed values reach the cell that displays them; installed once per notebook process.</summary>
        public static IDisposable RouteDisplayedValues() => Formatter.SubscribeToDisplayedValues(value =>
        {
            if (Current is { } sink) sink.Displayed(value);
        });

        public static async Task<T> RunAsync<T>(CellOutputSink sink, Func<Task<T>> body)
        {
            // Inside an async method the assignment is undone for the caller when the method returns.
            s_current.Value = sink;
            Running = sink;
            return await body().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Sends Console.Out and Console.Error of notebook code to its cell. Installed again before every cell, so a cell that
    /// replaces the console (Console.SetOut(TextWriter.Null)) silences only itself, as in the kernel.
    /// </summary>
    internal static class ConsoleRouting
    {
        private static readonly TextWriter s_out = new RoutingWriter(StreamName.Stdout);
        private static readonly TextWriter s_error = new RoutingWriter(StreamName.Stderr);
        private static TextWriter? s_fallback;

        /// <summary>Where text goes that belongs to no cell: the process's standard error, which the runner keeps.</summary>
        public static void Install(TextWriter fallback)
        {
            s_fallback = fallback;
            Reinstall();
        }

        public static void Reinstall()
        {
            Console.SetOut(s_out);
            Console.SetError(s_error);
        }

        private sealed class RoutingWriter(StreamName name) : TextWriter
        {
            public override Encoding Encoding => Encoding.UTF8;

            public override void Write(char value) => Write(value.ToString());

            public override void Write(string? value)
            {
                if (CellScope.Current is { } sink) sink.Write(name, value);
                else s_fallback?.Write(value);
            }

            public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

            public override void WriteLine(string? value) => Write(value + NewLine);

            public override void WriteLine() => Write(NewLine);

            public override void Flush() => s_fallback?.Flush();
        }
    }
}

namespace Microsoft.DotNet.Interactive
{
    using Microsoft.DotNet.Interactive.Formatting;

    /// <summary>
    /// The helpers .NET Interactive's C# kernel imports with <c>using static Microsoft.DotNet.Interactive.Kernel;</c>
    /// and its F# kernel with <c>open type</c>, under the same names, so notebooks run unchanged. <c>display</c> is the
    /// Formatting library's <c>Display()</c>: it raises the displayed-value event the runner routes to the cell.
    /// </summary>
    public static class Kernel
    {
        // Lower-case on purpose: notebooks call display(x), the kernel's spelling.
#pragma warning disable IDE1006
        public static DisplayedValue display(object? value, params string[] mimeTypes) => LstmNotebooks.Runner.DisplayHandles.Link(value!.Display(mimeTypes));
#pragma warning restore IDE1006

        public static IHtmlContent HTML(string content) => new HtmlString(content);

        public static IHtmlContent CSS(string content) => new HtmlString($"<style>{content}</style>");

        public static IHtmlContent Javascript(string code) => new HtmlString($"<script type=\"text/javascript\">{code}</script>");
    }
}
