package dev.unicorn.frontend.openai;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;

import dev.unicorn.api.generation.FinishReason;
import dev.unicorn.api.generation.Generation;
import dev.unicorn.api.generation.GenerationListener;
import dev.unicorn.api.generation.GenerationRequest;
import dev.unicorn.api.generation.GenerationResult;
import dev.unicorn.api.generation.GenerationService;
import dev.unicorn.api.generation.GenerationStatistics;
import dev.unicorn.api.generation.Sampler;
import dev.unicorn.api.generation.SamplingParameters;
import dev.unicorn.api.generation.StructuredOutput;
import dev.unicorn.api.generation.TokenConstraint;
import dev.unicorn.api.model.AvailableModel;
import dev.unicorn.api.model.InferenceSession;
import dev.unicorn.api.model.LoadedModel;
import dev.unicorn.api.model.Model;
import dev.unicorn.api.model.ModelException;
import dev.unicorn.api.model.ModelInfo;
import dev.unicorn.api.model.ModelLease;
import dev.unicorn.api.model.ModelRegistry;
import dev.unicorn.api.model.ModelStatus;
import dev.unicorn.api.model.RegisteredModel;
import dev.unicorn.api.text.ChatTemplate;
import dev.unicorn.api.text.Tokenizer;

/**
 * Stand-ins for the runtime's services, to drive the HTTP layer through situations the real engine does not produce
 * on demand: a full queue, a model still loading, structured output present, a model that answers with a tool call.
 * The "model" spells out a scripted answer one character (one token id = the char) at a time.
 */
final class FakeRuntime {
    private FakeRuntime() {
    }

    /** One character per token: id = the char value. */
    static final class CharTokenizer implements Tokenizer {
        @Override
        public int[] encode(String text, boolean addSpecialTokens) {
            return text.chars().toArray();
        }

        @Override
        public String decode(int[] ids, boolean skipSpecialTokens) {
            StringBuilder s = new StringBuilder();
            for (int id : ids) {
                s.append((char) id);
            }
            return s.toString();
        }

        @Override
        public int vocabularySize() {
            return 65536;
        }

        @Override
        public OptionalInt tokenId(String token) {
            return token.length() == 1 ? OptionalInt.of(token.charAt(0)) : OptionalInt.empty();
        }

        @Override
        public void close() {
        }
    }

    /** Renders "role: content" lines and remembers the variables it was given. */
    static final class RecordingTemplate implements ChatTemplate {
        final List<Map<String, Object>> variables = new CopyOnWriteArrayList<>();

        @Override
        public String render(List<Map<String, Object>> messages, Map<String, Object> vars) {
            variables.add(new LinkedHashMap<>(vars));
            StringBuilder s = new StringBuilder();
            for (Map<String, Object> m : messages) {
                s.append(m.get("role")).append(": ").append(m.get("content")).append('\n');
            }
            return s.toString();
        }
    }

    static final class FakeModel implements Model {
        final boolean withTemplate;
        final RecordingTemplate template = new RecordingTemplate();

        FakeModel(boolean withTemplate) {
            this.withTemplate = withTemplate;
        }

        @Override
        public Path location() {
            return Path.of("/models/fake.gguf");
        }

        @Override
        public LoadedModel network() {
            return new LoadedModel() {
                @Override
                public ModelInfo info() {
                    return new ModelInfo("FakeForCausalLM", 65536, 4096, 0, 0);
                }

                @Override
                public InferenceSession newSession(int capacity) {
                    throw new UnsupportedOperationException("the fake model has no network");
                }

                @Override
                public void close() {
                }
            };
        }

        @Override
        public Optional<Tokenizer> tokenizer() {
            return Optional.of(new CharTokenizer());
        }

        @Override
        public Optional<ChatTemplate> chatTemplate() {
            return withTemplate ? Optional.of(template) : Optional.empty();
        }

        @Override
        public Set<Integer> stopTokenIds() {
            return Set.of(0);
        }

        @Override
        public String backendId() {
            return "fake";
        }

        @Override
        public void close() {
        }
    }

    static final class FakeRegistry implements ModelRegistry {
        final Map<String, RegisteredModel> models = new LinkedHashMap<>();

        @Override
        public synchronized RegisteredModel load(String id, Path location, String backendId) {
            RegisteredModel m = new RegisteredModel(id, new FakeModel(!id.contains("notemplate")), Instant.now());
            models.put(id, m);
            return m;
        }

        @Override
        public synchronized Optional<RegisteredModel> get(String id) {
            return Optional.ofNullable(models.get(id));
        }

        @Override
        public synchronized List<RegisteredModel> list() {
            return new ArrayList<>(models.values());
        }

        @Override
        public synchronized boolean unload(String id) {
            return models.remove(id) != null;
        }

        @Override
        public synchronized RegisteredModel load(String id) {
            return get(id).orElseThrow(() -> new ModelException("no model '" + id + "'"));
        }

        @Override
        public ModelLease acquire(String id) {
            RegisteredModel m = load(id);
            return new ModelLease() {
                @Override
                public RegisteredModel model() {
                    return m;
                }

                @Override
                public void close() {
                }
            };
        }

        @Override
        public synchronized List<AvailableModel> available() {
            return models.values().stream().map(m -> new AvailableModel(m.id(), m.model().location(),
                    ModelStatus.LOADED, 0)).toList();
        }

        @Override
        public long memoryBudget() {
            return 1L << 30;
        }

        @Override
        public long memoryInUse() {
            return 0;
        }
    }

    /**
     * Answers every request with {@code answer.apply(request)}, one char per token on its own thread, ending with
     * STOP; or refuses with RejectedExecutionException while {@code full}.
     */
    static final class ScriptedGeneration implements GenerationService {
        final List<GenerationRequest> requests = new CopyOnWriteArrayList<>();
        volatile boolean full;
        volatile Function<GenerationRequest, String> answer = r -> "Hello!";

        @Override
        public Generation generate(Model model, GenerationRequest request, GenerationListener listener) {
            if (full) {
                throw new RejectedExecutionException("queue full");
            }
            requests.add(request);
            String text = answer.apply(request);
            CompletableFuture<GenerationResult> result = new CompletableFuture<>();
            Thread.ofPlatform().start(() -> {
                int[] ids = text.chars().limit(request.maxTokens()).toArray();
                for (int id : ids) {
                    listener.onToken(id, String.valueOf((char) id), null);
                }
                String out = new String(ids, 0, ids.length);
                result.complete(new GenerationResult(ids, out, ids.length < text.length() ? FinishReason.LENGTH
                        : FinishReason.STOP, request.promptIds().length, 0, ids.length, 0));
            });
            return new Generation() {
                @Override
                public void cancel() {
                }

                @Override
                public CompletionStage<GenerationResult> result() {
                    return result;
                }
            };
        }

        @Override
        public void release(Model model) {
        }

        @Override
        public GenerationStatistics statistics() {
            return new GenerationStatistics(0, 0, requests.size(), 0, 0, 0);
        }

        @Override
        public Sampler newSampler(SamplingParameters parameters) {
            throw new UnsupportedOperationException();
        }
    }

    /** Hands out a marker constraint and remembers the schemas it was asked for. */
    static final class RecordingStructuredOutput implements StructuredOutput {
        final List<Object> asked = new CopyOnWriteArrayList<>();

        @Override
        public TokenConstraint jsonObject(Model model) {
            asked.add("json_object");
            return new Marker();
        }

        @Override
        public TokenConstraint jsonSchema(Model model, Map<String, Object> schema) {
            if (schema.toString().contains("unsupported")) {
                throw new IllegalArgumentException("'unsupported' is not a supported keyword");
            }
            asked.add(schema);
            return new Marker();
        }
    }

    static final class Marker implements TokenConstraint {
        @Override
        public void mask(float[] logits) {
        }

        @Override
        public void accept(int tokenId) {
        }

        @Override
        public boolean complete() {
            return false;
        }
    }
}
