package dev.unicorn.frontend.chat;

import java.io.PrintWriter;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

import dev.unicorn.api.generation.FinishReason;
import dev.unicorn.api.generation.Generation;
import dev.unicorn.api.generation.GenerationRequest;
import dev.unicorn.api.generation.GenerationResult;
import dev.unicorn.api.generation.GenerationService;
import dev.unicorn.api.model.Model;
import dev.unicorn.api.model.ModelException;
import dev.unicorn.api.model.ModelRegistry;
import dev.unicorn.api.model.RegisteredModel;
import dev.unicorn.api.weights.WeightsException;

/**
 * One conversation: reads the user's lines, runs the slash commands, and answers every other line with the whole
 * conversation rendered by the model's chat template, streaming the answer as it is generated.
 */
final class ChatSession {
    static final List<String> COMMANDS = List.of("/system", "/clear", "/model", "/models", "/load", "/unload", "/set",
            "/stats", "/help", "/exit");

    static final String HELP = """
            /system TEXT       set the system prompt and start over (/system alone removes it)
            /clear             forget the conversation
            /model NAME        switch to a registered model id or a model file or folder (/model alone: the current one)
            /models            every model of the runtime (models directory and loaded ones) with its status
            /load ID           load a model of the models directory without switching to it
            /unload ID         unload a loaded model (not the chat's own); its running generations end
            /set NAME VALUE    change a setting (/set alone lists them): %s
            /stats             the last answer's tokens/s and the context used
            /help              this text
            /exit              leave (or Ctrl-D); Ctrl-C stops an answer, or clears the line at the prompt
            A line ending with \\ continues on the next line.""".formatted(String.join(", ", ChatSettings.NAMES));

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneId.systemDefault());

    private final GenerationService generation;
    private final ModelRegistry registry;
    private final ChatModels models;
    private final ChatSettings settings;
    private final ChatConsole console;
    private final PrintWriter out;
    private final List<Map<String, Object>> messages = new ArrayList<>();
    private String system;
    private GenerationResult last;

    ChatSession(GenerationService generation, ModelRegistry registry, ChatModels models, ChatSettings settings,
            String system, ChatConsole console) {
        this.generation = generation;
        this.registry = registry;
        this.models = models;
        this.settings = settings;
        this.system = system;
        this.console = console;
        this.out = console.out();
    }

    /** Runs until {@code /exit} or the end of input; returns the exit status. */
    int run() {
        out.println("Chatting with " + models.current().id() + " (/help for commands, /exit or Ctrl-D to leave)");
        out.flush();
        while (true) {
            String line;
            try {
                line = console.readLine();
            } catch (ChatConsole.Interrupted e) {
                continue;
            }
            if (line == null) {
                out.println();
                out.flush();
                return 0;
            }
            String text = line.strip();
            if (text.isEmpty()) {
                continue;
            }
            if (text.startsWith("/")) {
                if (!command(text)) {
                    return 0;
                }
            } else {
                answer(line);
            }
            out.flush();
        }
    }

    /** Runs one slash command; false when the chat ends. */
    private boolean command(String text) {
        int space = text.indexOf(' ');
        String name = space < 0 ? text : text.substring(0, space);
        String arg = space < 0 ? "" : text.substring(space + 1).strip();
        switch (name) {
            case "/exit", "/quit" -> {
                return false;
            }
            case "/help" -> out.println(HELP);
            case "/clear" -> {
                messages.clear();
                last = null;
                out.println("(conversation cleared)");
            }
            case "/system" -> {
                system = arg.isEmpty() ? null : arg;
                messages.clear();
                last = null;
                out.println(system == null ? "(system prompt removed, conversation cleared)"
                        : "(system prompt set, conversation cleared)");
            }
            case "/model" -> {
                if (arg.isEmpty()) {
                    RegisteredModel m = models.current();
                    out.println(m.id() + " (" + m.model().location() + ")");
                } else {
                    try {
                        RegisteredModel m = models.use(arg);
                        last = null;
                        out.println("(now chatting with " + m.id() + ", " + m.model().network().info().architecture()
                                + ")");
                    } catch (ModelException | WeightsException e) {
                        error(e.getMessage());
                    }
                }
            }
            case "/models" -> models();
            case "/load" -> load(arg);
            case "/unload" -> unload(arg);
            case "/set" -> set(arg);
            case "/stats" -> stats();
            default -> error("unknown command '" + name + "'; /help lists the commands");
        }
        return true;
    }

    /** Every model the runtime can serve, loaded or not; {@code *} marks the chat's. */
    private void models() {
        var all = registry.available();
        if (all.isEmpty()) {
            out.println("(no models: put GGUF files or Hugging Face folders into the models directory)");
        }
        String current = models.current() == null ? "" : models.current().id();
        for (var m : all) {
            out.printf(Locale.ROOT, "%s %s  %s  (%s)%n", m.id().equals(current) ? "*" : " ", m.id(), m.location(),
                    m.status().name().toLowerCase(Locale.ROOT));
        }
    }

    private void set(String arg) {
        String[] parts = arg.split("\\s+", 2);
        if (arg.isEmpty()) {
            settings.values().forEach((k, v) -> out.println(k + " = " + v));
        } else if (parts.length < 2) {
            error("usage: /set NAME VALUE, e.g. /set temperature 0.7; settings: "
                    + String.join(", ", ChatSettings.NAMES));
        } else {
            try {
                settings.set(parts[0], parts[1]);
                String key = parts[0].toLowerCase(Locale.ROOT).replace('_', '-');
                out.println(key + " = " + settings.values().get(key));
            } catch (IllegalArgumentException e) {
                error(e.getMessage());
            }
        }
    }

    private void stats() {
        int context = models.current().model().network().info().contextLength();
        if (last == null) {
            out.printf(Locale.ROOT, "no answer yet | context: 0 / %d tokens%n", context);
            return;
        }
        out.printf(Locale.ROOT, "last answer: %d tokens, %.1f tokens/s | prompt: %d tokens, %.1f tokens/s | "
                + "context: %d / %d tokens | %s%n", last.tokenIds().length, last.decodeTokensPerSecond(),
                last.promptTokens(), last.promptTokensPerSecond(), last.promptTokens() + last.tokenIds().length,
                context, last.finishReason().name().toLowerCase(Locale.ROOT));
    }

    private void answer(String line) {
        messages.add(Map.of("role", "user", "content", line));
        List<Map<String, Object>> conversation = new ArrayList<>();
        if (system != null) {
            conversation.add(Map.of("role", "system", "content", system));
        }
        conversation.addAll(messages);
        Model model = models.current().model();
        try {
            String rendered = model.chatTemplate().orElseThrow().render(conversation,
                    Map.of("add_generation_prompt", true));
            int[] prompt = model.tokenizer().orElseThrow(() -> new ModelException(model.location()
                    + ": the model has no tokenizer")).encode(rendered, false);
            GenerationRequest request = new GenerationRequest(prompt, settings.maxTokens(), settings.sampling(),
                    List.of(), false);
            Generation g = generation.generate(model, request, (id, text) -> {
                if (!text.isEmpty()) {
                    out.print(text);
                    out.flush();
                }
            });
            GenerationResult r = console.interruptible(g::cancel, () -> await(g));
            out.println();
            if (r.finishReason() == FinishReason.CANCELLED) {
                out.println("(cancelled)");
            }
            messages.add(Map.of("role", "assistant", "content", r.text()));
            last = r;
            if (!console.interactive()) {
                console.err().printf(Locale.ROOT, "[%d tokens, %.1f tokens/s]%n", r.tokenIds().length,
                        r.decodeTokensPerSecond());
                console.err().flush();
            }
        } catch (IllegalArgumentException e) {
            messages.removeLast();
            error(e.getMessage() + (e.getMessage().contains("context") ? " (/clear starts over)" : ""));
        } catch (Exception e) {
            messages.removeLast();
            error(e.getMessage() != null ? e.getMessage() : e.toString());
        }
    }

    private void load(String id) {
        if (id.isEmpty()) {
            error("usage: /load ID (/models lists them)");
            return;
        }
        try {
            RegisteredModel m = registry.load(id);
            out.println("loaded " + m.id() + " (" + m.model().network().info().architecture() + ")");
        } catch (RuntimeException e) {
            error(e.getMessage());
        }
    }

    private void unload(String id) {
        if (id.isEmpty()) {
            error("usage: /unload ID (/models lists them)");
        } else if (models.current() != null && models.current().id().equals(id)) {
            error("'" + id + "' is the chat's model; switch with /model first");
        } else if (registry.unload(id)) {
            out.println("unloaded " + id);
        } else {
            error("no model '" + id + "' is loaded");
        }
    }

    private void error(String message) {
        console.err().println("error: " + message);
        console.err().flush();
    }

    private static GenerationResult await(Generation g) throws Exception {
        try {
            return g.result().toCompletableFuture().get();
        } catch (ExecutionException | CompletionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }
}
