package dev.unicorn.frontend.chat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

/** A chat on plain streams, line by line: what {@code ./unicorn chat} uses when its input is not a terminal. */
final class StreamConsole implements ChatConsole {
    private final BufferedReader in;
    private final PrintWriter out;
    private final PrintWriter err;

    StreamConsole(InputStream in, PrintStream out, PrintStream err) {
        this.in = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        this.out = new PrintWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), true);
        this.err = new PrintWriter(new OutputStreamWriter(err, StandardCharsets.UTF_8), true);
    }

    @Override
    public String readLine() {
        out.print("> ");
        out.flush();
        try {
            String line = in.readLine();
            if (line == null) {
                return null;
            }
            StringBuilder text = new StringBuilder(line);
            while (text.toString().endsWith("\\")) {
                String next = in.readLine();
                if (next == null) {
                    break;
                }
                text.append('\n').append(next);
            }
            return ChatConsole.joinContinued(text.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read standard input", e);
        }
    }

    @Override
    public PrintWriter out() {
        return out;
    }

    @Override
    public PrintWriter err() {
        return err;
    }

    @Override
    public boolean interactive() {
        return false;
    }

    @Override
    public <T> T interruptible(Runnable onInterrupt, Callable<T> task) throws Exception {
        return task.call();
    }

    @Override
    public void close() {
        out.flush();
        err.flush();
    }
}
