package dev.unicorn.frontend.chat;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import dev.unicorn.api.command.Command;
import dev.unicorn.api.generation.GenerationService;
import dev.unicorn.api.model.ModelException;
import dev.unicorn.api.model.ModelRegistry;
import dev.unicorn.api.weights.WeightsException;

/** {@code ./unicorn chat}: a conversation in the terminal (JLine), or line by line when the input is piped. */
@Component(property = Command.NAME + "=chat")
public final class ChatCommand implements Command {
    /** System property naming the model used when no --model is given (set by ./unicorn). */
    static final String DEFAULT_MODEL = "unicorn.defaultModel";

    private final ModelRegistry registry;
    private final GenerationService generation;

    @Activate
    public ChatCommand(@Reference ModelRegistry registry, @Reference GenerationService generation) {
        this.registry = registry;
        this.generation = generation;
    }

    @Override
    public String usage() {
        return """
                chat     [--model M] [--system TEXT] [--max-tokens N] [--backend ID] [sampling options as for generate]
                         a conversation in the terminal; /help inside lists its commands
                """;
    }

    @Override
    public int run(List<String> args, InputStream in, PrintStream out, PrintStream err) {
        ChatSettings settings = new ChatSettings();
        String model = System.getProperty(DEFAULT_MODEL);
        String system = null;
        String backend = null;
        try {
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                if (!a.startsWith("--")) {
                    throw new IllegalArgumentException("unknown argument '" + a + "'");
                }
                String name = a.substring(2);
                String value;
                if (name.contains("=")) {
                    value = name.substring(name.indexOf('=') + 1);
                    name = name.substring(0, name.indexOf('='));
                } else if (i + 1 < args.size()) {
                    value = args.get(++i);
                } else {
                    throw new IllegalArgumentException("option --" + name + " needs a value");
                }
                switch (name) {
                    case "model" -> model = value;
                    case "system" -> system = value;
                    case "backend" -> backend = value;
                    default -> {
                        if (!ChatSettings.NAMES.contains(name)) {
                            throw new IllegalArgumentException("unknown argument '" + a + "'; options: --model, "
                                    + "--system, --backend, " + String.join(", ",
                                            ChatSettings.NAMES.stream().map(n -> "--" + n).toList()));
                        }
                        settings.set(name, value);
                    }
                }
            }
            if (model == null || model.isBlank()) {
                throw new IllegalArgumentException("--model DIR|FILE is required (no default model is installed)");
            }
        } catch (IllegalArgumentException e) {
            err.println("error: chat: " + e.getMessage());
            return 2;
        }
        ChatModels models = new ChatModels(registry, backend);
        try {
            models.use(model);
        } catch (ModelException | WeightsException e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
        try (ChatConsole console = open(ChatSession.COMMANDS, in, out, err)) {
            return new ChatSession(generation, registry, models, settings, system, console).run();
        } catch (IOException e) {
            err.println("error: cannot open the terminal: " + e.getMessage());
            return 1;
        } finally {
            models.release();
        }
    }

    private static ChatConsole open(List<String> completions, InputStream in, PrintStream out, PrintStream err)
            throws IOException {
        ChatConsole terminal = TerminalConsole.ifTerminal(completions);
        return terminal != null ? terminal : new StreamConsole(in, out, err);
    }
}
