package dev.unicorn.frontend.openai;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;

/**
 * {@code serve}'s console: Gogo commands read line by line from the server's standard input (the admin commands
 * {@code unicorn:models}, {@code unicorn:load}, {@code unicorn:stats}, bundle commands such as {@code lb},
 * {@code stop}, {@code start}), each answered on standard output. The end of input ends the console, not the server.
 */
final class ServeConsole {
    private ServeConsole() {
    }

    static void start(CommandProcessor gogo, InputStream in, PrintStream out, PrintStream err) {
        Thread.ofPlatform().name("unicorn-serve-console").daemon(true).start(() -> run(gogo, in, out, err));
    }

    private static void run(CommandProcessor gogo, InputStream in, PrintStream out, PrintStream err) {
        CommandSession session = gogo.createSession(in, out, err);
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.isBlank()) {
                    continue;
                }
                try {
                    Object result = session.execute(line);
                    if (result != null) {
                        out.println(session.format(result, Converter.INSPECT));
                    }
                } catch (Exception e) {
                    err.println("error: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
                }
                out.println("console> done: " + line.strip());
                out.flush();
            }
        } catch (IOException e) {
            err.println("error: the console stopped reading: " + e.getMessage());
        } finally {
            session.close();
        }
    }
}
