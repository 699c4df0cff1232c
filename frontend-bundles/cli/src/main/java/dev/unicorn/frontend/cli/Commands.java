package dev.unicorn.frontend.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.unicorn.api.generation.GenerationListener;
import dev.unicorn.api.generation.GenerationRequest;
import dev.unicorn.api.generation.GenerationResult;
import dev.unicorn.api.generation.GenerationService;
import dev.unicorn.api.generation.SamplingParameters;
import dev.unicorn.api.model.InferenceSession;
import dev.unicorn.api.model.Model;
import dev.unicorn.api.model.ModelException;
import dev.unicorn.api.model.ModelLoader;
import dev.unicorn.api.model.ModelRegistry;
import dev.unicorn.api.text.ChatTemplate;
import dev.unicorn.api.text.ChatTemplateProvider;
import dev.unicorn.api.text.Tokenizer;
import dev.unicorn.api.weights.WeightsException;
import dev.unicorn.api.weights.WeightsFormat;
import dev.unicorn.api.weights.WeightsSource;

/** The commands of {@code ./unicorn}, shared by the launcher and the Gogo shell. */
@Component(service = Commands.class)
public final class Commands {
    static final String USAGE = """
            usage: unicorn <command> [options]
              generate [--model M] (--prompt TEXT | --ids 1,2,3) [--max-tokens N] [--temperature T] [--seed S]
                       [--top-k K] [--top-p P] [--min-p P] [--repetition-penalty R] [--presence-penalty P]
                       [--frequency-penalty F] [--stop TEXT]... [--print-ids] [--ignore-eos] [--raw] [--backend ID]
              logits   --model DIR --ids 1,2,3 --out FILE.safetensors [--backend ID]
              bench    --model DIR [--prompt-tokens N] [--gen-tokens N] [--reps N] [--streams 1,4,8] [--backend ID]
              render-chat --model DIR --request FILE.json
                       prints the prompt the model's chat template renders from the request's messages
              shell    an interactive Gogo shell (commands: unicorn:generate, unicorn:logits, unicorn:bench,
                       unicorn:renderchat, unicorn:models, unicorn:load, unicorn:unload, unicorn:backends,
                       unicorn:bundles, unicorn:stats, lb)
            """;

    /** System property naming the model used when a command is given no --model (set by ./unicorn). */
    static final String DEFAULT_MODEL = "unicorn.defaultModel";

    private static final Set<String> SAMPLING = Set.of("temperature", "seed", "top-k", "top-p", "min-p",
            "repetition-penalty", "presence-penalty", "frequency-penalty");

    private final ModelLoader loader;
    private final ModelRegistry registry;
    private final GenerationService generation;
    private final ChatTemplateProvider chatTemplates;
    /** Formats come and go with their bundles; a static reference would restart this component (and the launcher). */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private final List<WeightsFormat> formats = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Activate
    public Commands(@Reference ModelLoader loader, @Reference ModelRegistry registry,
            @Reference GenerationService generation,
            @Reference ChatTemplateProvider chatTemplates) {
        this.loader = loader;
        this.registry = registry;
        this.generation = generation;
        this.chatTemplates = chatTemplates;
    }

    /** Runs one command; returns its exit status (0 ok, 1 failed, 2 usage). */
    public int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.isEmpty() || args.get(0).equals("help") || args.get(0).equals("--help")) {
            (args.isEmpty() ? err : out).print(USAGE);
            return args.isEmpty() ? 2 : 0;
        }
        String command = args.get(0);
        List<String> rest = args.subList(1, args.size());
        try {
            return switch (command) {
                case "generate" -> generate(rest, out, err);
                case "logits" -> logits(rest, out);
                case "bench" -> bench(rest, out);
                case "render-chat" -> renderChat(rest, out, err);
                default -> throw new Arguments.UsageException("unknown command '" + command + "'\n" + USAGE);
            };
        } catch (Arguments.UsageException | IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return 2;
        } catch (ModelException | WeightsException e) {
            err.println("error: " + e.getMessage());
            return 1;
        } catch (Exception e) {
            err.println("error: " + e);
            return 1;
        }
    }

    private int generate(List<String> args, PrintStream out, PrintStream err) throws Exception {
        Set<String> options = new java.util.HashSet<>(SAMPLING);
        options.addAll(Set.of("model", "prompt", "ids", "max-tokens", "stop", "backend"));
        Arguments a = new Arguments("generate", args, options, Set.of("print-ids", "ignore-eos", "raw"));
        if (a.has("prompt") == a.has("ids")) {
            throw new Arguments.UsageException("generate: give exactly one of --prompt TEXT and --ids 1,2,3");
        }
        SamplingParameters sampling = sampling(a);
        int maxTokens = a.integer("max-tokens", 256, 0);
        boolean printIds = a.flag("print-ids");
        try (CommandModel lease = load(a)) {
            Model model = lease.model();
            int[] prompt;
            if (a.has("ids")) {
                prompt = a.ids("ids");
            } else if (model.chatTemplate().isPresent() && !a.flag("raw")) {
                prompt = chatPrompt(model, List.of(Map.of("role", "user", "content", a.string("prompt"))));
            } else {
                prompt = tokenizer(model).encode(a.string("prompt"), true);
            }
            GenerationRequest request = new GenerationRequest(prompt, maxTokens, sampling, a.all("stop"),
                    a.flag("ignore-eos"));
            boolean streamText = !printIds && model.tokenizer().isPresent();
            GenerationListener listener = (id, text) -> {
                if (streamText && !text.isEmpty()) {
                    out.print(text);
                    out.flush();
                }
            };
            GenerationResult r = await(generation.generate(model, request, listener).result());
            PrintStream stats = printIds ? err : out;
            if (printIds) {
                out.println(Arrays.stream(r.tokenIds()).mapToObj(Integer::toString).collect(Collectors.joining(",")));
            } else if (!streamText) {
                out.println(Arrays.toString(r.tokenIds()));
            } else {
                out.println();
            }
            stats.printf(Locale.ROOT, "[prompt: %d tokens, %.1f tokens/s | decode: %d tokens, %.1f tokens/s | %s]%n",
                    r.promptTokens(), r.promptTokensPerSecond(), r.tokenIds().length, r.decodeTokensPerSecond(),
                    r.finishReason().name().toLowerCase(Locale.ROOT));
            stats.flush();
            return 0;
        }
    }

    private int logits(List<String> args, PrintStream out) throws Exception {
        Arguments a = new Arguments("logits", args, Set.of("model", "ids", "out", "backend"), Set.of());
        int[] ids = a.ids("ids");
        Path file = Path.of(a.string("out"));
        try (CommandModel lease = load(a)) {
            Model model = lease.model();
            int vocab = model.network().info().vocabularySize();
            float[] logits = new float[ids.length * vocab];
            try (InferenceSession s = model.network().newSession(ids.length)) {
                s.append(ids, ids.length, logits, true);
            }
            LogitsFile.write(file, logits, ids.length, vocab);
            out.println("wrote logits [" + ids.length + ", " + vocab + "] to " + file);
            return 0;
        }
    }

    private int bench(List<String> args, PrintStream out) throws Exception {
        Arguments a = new Arguments("bench", args, Set.of("model", "prompt-tokens", "gen-tokens", "reps", "backend",
                "streams"), Set.of());
        int promptTokens = a.integer("prompt-tokens", 128, 1);
        int genTokens = a.integer("gen-tokens", 64, 1);
        int reps = a.integer("reps", 3, 1);
        int[] streams = a.has("streams") ? streamCounts(a.string("streams")) : null;
        try (CommandModel lease = load(a)) {
            Model model = lease.model();
            var info = model.network().info();
            SplittableRandom random = new SplittableRandom(42);
            out.printf(Locale.ROOT, "model: %s (%s, %,d parameters, %.1f MiB of weights), backend %s%n",
                    model.location(), info.architecture(), info.parameterCount(), info.weightBytes() / 1048576.0,
                    model.backendId());
            if (streams != null) {
                benchStreams(model, streams, promptTokens, genTokens, random, out);
                return 0;
            }
            out.println("| run | prompt tokens | prefill tokens/s | generated | decode tokens/s |");
            out.println("|---|---|---|---|---|");
            double[] prefill = new double[reps];
            double[] decode = new double[reps];
            for (int rep = -1; rep < reps; rep++) {
                int[] prompt = random.ints(promptTokens, 0, info.vocabularySize()).toArray();
                GenerationRequest request = new GenerationRequest(prompt, rep < 0 ? 4 : genTokens,
                        SamplingParameters.GREEDY, List.of(), true);
                GenerationResult r = await(generation.generate(model, request, (id, text) -> { }).result());
                if (rep < 0) {
                    continue; // warm-up
                }
                prefill[rep] = r.promptTokensPerSecond();
                decode[rep] = r.decodeTokensPerSecond();
                out.printf(Locale.ROOT, "| %d | %d | %.1f | %d | %.2f |%n", rep + 1, promptTokens, prefill[rep],
                        r.tokenIds().length, decode[rep]);
            }
            Arrays.sort(prefill);
            Arrays.sort(decode);
            out.printf(Locale.ROOT, "| median | %d | %.1f | %d | %.2f |%n", promptTokens, prefill[reps / 2], genTokens,
                    decode[reps / 2]);
            return 0;
        }
    }

    private static int[] streamCounts(String text) {
        String[] parts = text.split(",");
        int[] counts = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                counts[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                counts[i] = 0;
            }
            if (counts[i] < 1) {
                throw new Arguments.UsageException("bench: --streams takes stream counts of at least 1 like 1,4,8, "
                        + "got '" + parts[i] + "' in '" + text + "'");
            }
        }
        return counts;
    }

    /**
     * Concurrent greedy generations through the generation service (continuous batching): per stream count, the
     * aggregate rate counts every stream's tokens after its first one, from the first stream's first token to the
     * last stream's last token; per stream is the median of each generation's own decode rate.
     */
    private void benchStreams(Model model, int[] streams, int promptTokens, int genTokens, SplittableRandom random,
            PrintStream out) throws Exception {
        int vocab = model.network().info().vocabularySize();
        await(generation.generate(model, new GenerationRequest(random.ints(promptTokens, 0, vocab).toArray(), 4,
                SamplingParameters.GREEDY, List.of(), true), (id, text) -> { }).result()); // warm-up
        out.printf(Locale.ROOT, "prompt %d random tokens, %d generated per stream, greedy, stop tokens ignored%n",
                promptTokens, genTokens);
        out.println("| streams | aggregate decode tokens/s | per-stream tokens/s | wall time s |");
        out.println("|---|---|---|---|");
        for (int count : streams) {
            java.util.concurrent.atomic.AtomicLongArray first = new java.util.concurrent.atomic.AtomicLongArray(count);
            java.util.concurrent.atomic.AtomicLongArray last = new java.util.concurrent.atomic.AtomicLongArray(count);
            List<java.util.concurrent.CompletionStage<GenerationResult>> runs = new java.util.ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < count; i++) {
                int stream = i;
                GenerationRequest request = new GenerationRequest(random.ints(promptTokens, 0, vocab).toArray(),
                        genTokens, SamplingParameters.GREEDY, List.of(), true);
                runs.add(generation.generate(model, request, (id, text) -> {
                    long now = System.nanoTime();
                    first.compareAndSet(stream, 0, now);
                    last.set(stream, now);
                }).result());
            }
            double[] perStream = new double[count];
            long decoded = 0;
            for (int i = 0; i < count; i++) {
                GenerationResult r = await(runs.get(i));
                perStream[i] = r.decodeTokensPerSecond();
                decoded += Math.max(0, r.tokenIds().length - 1);
            }
            long wall = System.nanoTime() - start;
            long from = Long.MAX_VALUE;
            long to = 0;
            for (int i = 0; i < count; i++) {
                from = Math.min(from, first.get(i));
                to = Math.max(to, last.get(i));
            }
            Arrays.sort(perStream);
            out.printf(Locale.ROOT, "| %d | %.1f | %.2f | %.2f |%n", count, to > from ? decoded * 1e9 / (to - from) : 0,
                    perStream[count / 2], wall / 1e9);
            out.flush();
        }
    }

    /**
     * Renders a chat request with the model's chat template only (no weights are loaded). Every key of the request
     * but {@code messages} is a template variable. A template that raises exits 1 with its message.
     */
    private int renderChat(List<String> args, PrintStream out, PrintStream err) {
        Arguments a = new Arguments("render-chat", args, Set.of("model", "request"), Set.of());
        Path model = Path.of(a.string("model"));
        Path requestFile = Path.of(a.string("request"));
        Map<String, Object> variables = new LinkedHashMap<>(readRequest(requestFile));
        Object messages = variables.remove("messages");
        if (!(messages instanceof List<?> list) || !list.stream().allMatch(m -> m instanceof Map)) {
            throw new Arguments.UsageException(requestFile + ": \"messages\" must be a list of objects, got "
                    + jsonKind(messages));
        }
        if (!Files.exists(model)) {
            throw new ModelException(model + ": no such model folder or file");
        }
        ChatTemplate template;
        try {
            template = openChatTemplate(model).orElseThrow(() -> new ModelException(model
                    + ": no chat template (chat_template.jinja, chat_template.json, tokenizer_config.json's "
                    + "chat_template or GGUF tokenizer.chat_template)"));
        } catch (IllegalArgumentException e) {
            throw new ModelException(e.getMessage(), e);
        }
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> chat = (List<Map<String, Object>>) messages;
        String prompt;
        try {
            prompt = template.render(chat, variables);
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return 1;
        }
        out.writeBytes(prompt.getBytes(StandardCharsets.UTF_8));
        out.flush();
        return 0;
    }

    private static String jsonKind(Object v) {
        return switch (v) {
            case null -> "nothing (or null)";
            case List<?> l -> "a list holding " + l.stream().filter(x -> !(x instanceof Map)).findFirst()
                    .map(x -> jsonKind(x)).orElse("objects");
            case Map<?, ?> m -> "an object";
            case String s -> "a string";
            case Boolean b -> "a boolean";
            case Number n -> "a number";
            default -> v.getClass().getSimpleName();
        };
    }

    private static Map<String, Object> readRequest(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new Arguments.UsageException(file + ": no such request file");
        }
        try {
            Map<String, Object> request = new ObjectMapper().readValue(file.toFile(), new TypeReference<>() { });
            if (request == null) {
                throw new Arguments.UsageException(file + ": expected a JSON object with \"messages\", got null");
            }
            return request;
        } catch (JacksonException e) {
            var at = e.getLocation();
            throw new Arguments.UsageException(file + ": not a JSON object with \"messages\""
                    + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")") + ": "
                    + e.getOriginalMessage().replaceAll("\\s*\\(start marker at .*", ""));
        } catch (IOException e) {
            throw new Arguments.UsageException(file + ": cannot read: " + e.getMessage());
        }
    }

    /** A folder's template files, or a single-file model's (GGUF) metadata read without loading the weights. */
    private java.util.Optional<ChatTemplate> openChatTemplate(Path model) {
        if (!Files.isDirectory(model)) {
            for (WeightsFormat f : formats) {
                if (f.recognizes(model)) {
                    try (WeightsSource source = f.open(model)) {
                        return chatTemplates.open(model, source.metadata());
                    }
                }
            }
        }
        return chatTemplates.open(model, Map.of());
    }

    /**
     * A model for one command: a loaded model of the registry is held by a lease and stays loaded; a path is loaded
     * for the command alone, then closed.
     */
    private record CommandModel(Model model, AutoCloseable release) implements AutoCloseable {
        @Override
        public void close() throws Exception {
            release.close();
        }
    }

    private CommandModel load(Arguments a) {
        String model = a.string("model", System.getProperty(DEFAULT_MODEL));
        if (model == null || model.isBlank()) {
            throw new Arguments.UsageException("--model DIR|FILE|ID is required (no default model is installed)");
        }
        String backend = a.string("backend", null);
        var registered = registry.get(model);
        if (registered.isPresent()) {
            Model m = registered.get().model();
            if (backend != null && !backend.equals(m.backendId())) {
                throw new Arguments.UsageException("model '" + model + "' is loaded on backend " + m.backendId()
                        + ", not " + backend);
            }
            dev.unicorn.api.model.ModelLease lease = registry.acquire(model);
            return new CommandModel(lease.model().model(), lease);
        }
        Model loaded = loader.load(Path.of(model), backend);
        return new CommandModel(loaded, loaded);
    }

    private static Tokenizer tokenizer(Model model) {
        return model.tokenizer().orElseThrow(() -> new ModelException(model.location()
                + ": the model has no tokenizer to encode text; pass --ids instead"));
    }

    /** The conversation rendered with the model's chat template and encoded (the template holds the special tokens). */
    private static int[] chatPrompt(Model model, List<Map<String, Object>> messages) {
        String text = model.chatTemplate().orElseThrow().render(messages, Map.of("add_generation_prompt", true));
        return tokenizer(model).encode(text, false);
    }

    private static SamplingParameters sampling(Arguments a) {
        float temperature = a.number("temperature", 0.8f);
        if (temperature < 0) {
            throw new Arguments.UsageException("--temperature must be >= 0, got " + temperature);
        }
        return new SamplingParameters(temperature, a.integer("top-k", 40, 0), a.number("top-p", 0.95f),
                a.number("min-p", 0.05f), a.number("repetition-penalty", 1f), a.number("presence-penalty", 0f),
                a.number("frequency-penalty", 0f), a.longValue("seed", System.nanoTime()));
    }

    private static <T> T await(java.util.concurrent.CompletionStage<T> stage) throws Exception {
        try {
            return stage.toCompletableFuture().get();
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof Exception ex) {
                throw ex;
            }
            throw e;
        }
    }
}
