package dev.unicorn.frontend.chat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import org.jline.reader.EOFError;
import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.ParsedLine;
import org.jline.reader.Parser;
import org.jline.reader.UserInterruptException;
import org.jline.reader.impl.DefaultParser;
import org.jline.reader.impl.completer.StringsCompleter;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

/**
 * A chat on a terminal through JLine: line editing, history of input lines (kept in {@code ~/.unicorn/chat-history}),
 * completion of the slash commands, a secondary prompt for lines continued with a trailing {@code \}, and Ctrl-C that
 * cancels an answer instead of ending the process.
 */
final class TerminalConsole implements ChatConsole {
    private final Terminal terminal;
    private final LineReader reader;

    TerminalConsole(List<String> commands) throws IOException {
        // JLine finds its terminal providers through the thread context class loader: give it JLine's bundle.
        Thread thread = Thread.currentThread();
        ClassLoader context = thread.getContextClassLoader();
        thread.setContextClassLoader(Terminal.class.getClassLoader());
        try {
            terminal = TerminalBuilder.builder().system(true).dumb(false).name("unicorn chat").build();
        } finally {
            thread.setContextClassLoader(context);
        }
        // Outside readLine the terminal is in cooked mode: Ctrl-C raises SIGINT, which must not end the process.
        terminal.handle(Terminal.Signal.INT, signal -> { });
        reader = LineReaderBuilder.builder().terminal(terminal).appName("unicorn")
                .parser(new ContinuationParser())
                .completer(new StringsCompleter(commands))
                .variable(LineReader.SECONDARY_PROMPT_PATTERN, ". ")
                .variable(LineReader.HISTORY_FILE, Path.of(System.getProperty("user.home"), ".unicorn", "chat-history"))
                // '!' in a message is text, not a history event.
                .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true)
                .build();
    }

    /** A terminal when both standard input and output are one, else null. */
    static TerminalConsole ifTerminal(List<String> commands) throws IOException {
        java.io.Console console = System.console();
        return console != null && console.isTerminal() ? new TerminalConsole(commands) : null;
    }

    @Override
    public String readLine() throws Interrupted {
        try {
            return ChatConsole.joinContinued(reader.readLine("> "));
        } catch (UserInterruptException e) {
            throw new Interrupted();
        } catch (EndOfFileException e) {
            return null;
        }
    }

    @Override
    public PrintWriter out() {
        return terminal.writer();
    }

    @Override
    public PrintWriter err() {
        return terminal.writer();
    }

    @Override
    public boolean interactive() {
        return true;
    }

    @Override
    public <T> T interruptible(Runnable onInterrupt, Callable<T> task) throws Exception {
        Terminal.SignalHandler previous = terminal.handle(Terminal.Signal.INT, signal -> onInterrupt.run());
        try {
            return task.call();
        } finally {
            terminal.handle(Terminal.Signal.INT, previous);
        }
    }

    @Override
    public void close() {
        try {
            reader.getHistory().save();
        } catch (IOException e) {
            terminal.writer().println("warning: the input history was not saved: " + e.getMessage());
        }
        try {
            terminal.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Words as whitespace splits them (no quotes, no escapes: a message is text); a trailing {@code \} continues. */
    private static final class ContinuationParser implements Parser {
        private final DefaultParser words = new DefaultParser().quoteChars(new char[0]).escapeChars(new char[0]);

        @Override
        public ParsedLine parse(String line, int cursor, ParseContext context) {
            if (context == ParseContext.ACCEPT_LINE && line.endsWith("\\")) {
                throw new EOFError(-1, -1, "the line continues", "\\");
            }
            return words.parse(line, cursor, ParseContext.COMPLETE);
        }
    }
}
