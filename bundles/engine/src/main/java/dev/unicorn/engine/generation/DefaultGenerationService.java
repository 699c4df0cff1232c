package dev.unicorn.engine.generation;

import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

import dev.unicorn.api.generation.FinishReason;
import dev.unicorn.api.generation.Generation;
import dev.unicorn.api.generation.GenerationListener;
import dev.unicorn.api.generation.GenerationRequest;
import dev.unicorn.api.generation.GenerationResult;
import dev.unicorn.api.generation.GenerationService;
import dev.unicorn.api.generation.GenerationStatistics;
import dev.unicorn.api.generation.TokenConstraint;
import dev.unicorn.api.generation.TokenLogprobs;
import dev.unicorn.api.generation.Sampler;
import dev.unicorn.api.generation.SamplingParameters;
import dev.unicorn.api.model.InferenceSession;
import dev.unicorn.api.model.Model;
import dev.unicorn.api.model.ModelException;

/**
 * Runs generations one after the other on one thread: prompt in one batch, then one token at a time through the KV
 * cache. One at a time because the CPU backend's worker pool runs one kernel at a time: two generations stepping
 * concurrently (two server requests, n > 1) corrupt each other's kernels. The batching scheduler replaces this.
 */
@Component
public final class DefaultGenerationService implements GenerationService {
    private final ExecutorService executor = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("unicorn-generation").daemon(true).factory());
    private final Set<Run> running = ConcurrentHashMap.newKeySet();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong promptTokens = new AtomicLong();
    private final AtomicLong generatedTokens = new AtomicLong();

    @Deactivate
    void deactivate() {
        executor.shutdownNow();
    }

    @Override
    public Sampler newSampler(SamplingParameters parameters) {
        return new LogitsSampler(parameters);
    }

    @Override
    public Generation generate(Model model, GenerationRequest request, GenerationListener listener) {
        int vocab = model.network().info().vocabularySize();
        int context = model.network().info().contextLength();
        int[] prompt = request.promptIds();
        for (int i = 0; i < prompt.length; i++) {
            if (prompt[i] < 0 || prompt[i] >= vocab) {
                throw new IllegalArgumentException("prompt token id " + prompt[i] + " at index " + i
                        + " is outside the vocabulary [0, " + vocab + ")");
            }
        }
        if (prompt.length >= context) {
            throw new IllegalArgumentException("the prompt has " + prompt.length + " tokens; the model's context is "
                    + context);
        }
        Run run = new Run(model, request, listener);
        running.add(run);
        executor.execute(run);
        return run;
    }

    @Override
    public void release(Model model) {
        for (Run run : running) {
            if (run.model == model) {
                run.released = true;
                run.cancel();
            }
        }
        for (Run run : running) {
            if (run.model == model) {
                run.result.handle((r, t) -> null).toCompletableFuture().join();
            }
        }
    }

    @Override
    public GenerationStatistics statistics() {
        return new GenerationStatistics(running.size(), 0, completed.get(), promptTokens.get(), generatedTokens.get(),
                0);
    }

    private final class Run implements Generation, Runnable {
        private final Model model;
        private final GenerationRequest request;
        private final GenerationListener listener;
        private final CompletableFuture<GenerationResult> result = new CompletableFuture<>();
        private volatile boolean cancelled;
        private volatile boolean released;

        Run(Model model, GenerationRequest request, GenerationListener listener) {
            this.model = model;
            this.request = request;
            this.listener = listener;
        }

        @Override
        public void cancel() {
            cancelled = true;
        }

        @Override
        public CompletionStage<GenerationResult> result() {
            return result;
        }

        @Override
        public void run() {
            try {
                GenerationResult r = generate();
                if (released) {
                    throw new ModelException(model.location().getFileName() + " was unloaded during the generation");
                }
                result.complete(r);
            } catch (Throwable t) {
                result.completeExceptionally(t);
            } finally {
                running.remove(this);
                completed.incrementAndGet();
            }
        }

        private GenerationResult generate() {
            int[] prompt = request.promptIds();
            int context = model.network().info().contextLength();
            int capacity = Math.min(context, prompt.length + Math.max(1, request.maxTokens()));
            Set<Integer> stops = request.ignoreStopTokens() ? Set.of() : model.stopTokenIds();
            Sampler sampler = newSampler(request.sampling());
            TextStream text = new TextStream(model.tokenizer().orElse(null), request.stopStrings());
            float[] logits = new float[model.network().info().vocabularySize()];
            int[] history = Arrays.copyOf(prompt, capacity + 1);
            int length = prompt.length;
            int[] next = new int[1];
            TokenConstraint constraint = request.constraint();
            float[] raw = request.topLogprobs() >= 0 ? new float[logits.length] : null;
            FinishReason reason = FinishReason.LENGTH;
            int steps = 0;
            long promptNanos;
            long start;
            try (InferenceSession session = model.network().newSession(capacity)) {
                long t0 = System.nanoTime();
                session.append(prompt, prompt.length, logits, false);
                start = System.nanoTime();
                promptNanos = start - t0;
                promptTokens.addAndGet(prompt.length);
                for (int produced = 0; produced < request.maxTokens(); produced++) {
                    if (cancelled) {
                        reason = FinishReason.CANCELLED;
                        break;
                    }
                    if (raw != null) {
                        System.arraycopy(logits, 0, raw, 0, logits.length);
                    }
                    if (constraint != null) {
                        constraint.mask(logits);
                    }
                    int token = sampler.sample(logits, history, length, prompt.length);
                    if (stops.contains(token) && (constraint == null || constraint.complete())) {
                        reason = FinishReason.STOP;
                        break;
                    }
                    history[length++] = token;
                    generatedTokens.incrementAndGet();
                    String piece = text.push(token);
                    TokenLogprobs lp = raw == null ? null : Logprobs.of(raw, token, request.topLogprobs());
                    listener.onToken(token, piece, lp);
                    if (constraint != null) {
                        constraint.accept(token);
                    }
                    if (text.stopped() || (constraint != null && constraint.complete())) {
                        reason = FinishReason.STOP;
                        break;
                    }
                    if (produced + 1 == request.maxTokens() || session.position() + 1 > session.capacity()) {
                        break;
                    }
                    next[0] = token;
                    session.append(next, 1, logits, false);
                    steps++;
                }
            }
            long decodeNanos = System.nanoTime() - start;
            String rest = text.finish();
            if (!rest.isEmpty()) {
                listener.onToken(-1, rest);
            }
            GenerationResult r = new GenerationResult(Arrays.copyOfRange(history, prompt.length, length), text.text(),
                    reason, prompt.length, promptNanos, steps, decodeNanos);
            listener.onComplete(r);
            return r;
        }
    }
}
