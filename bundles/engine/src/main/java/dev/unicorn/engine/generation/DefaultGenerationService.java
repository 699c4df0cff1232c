package dev.unicorn.engine.generation;

import java.util.Arrays;
import java.util.Set;
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
import dev.unicorn.api.generation.Sampler;
import dev.unicorn.api.generation.SamplingParameters;
import dev.unicorn.api.model.InferenceSession;
import dev.unicorn.api.model.Model;

/** Runs each generation on its own thread: prompt in one batch, then one token at a time through the KV cache. */
@Component
public final class DefaultGenerationService implements GenerationService {
    private final ExecutorService executor = Executors.newThreadPerTaskExecutor(
            Thread.ofPlatform().name("unicorn-generation-", 0).daemon(true).factory());

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
        executor.execute(run);
        return run;
    }

    private final class Run implements Generation, Runnable {
        private final Model model;
        private final GenerationRequest request;
        private final GenerationListener listener;
        private final CompletableFuture<GenerationResult> result = new CompletableFuture<>();
        private volatile boolean cancelled;

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
                result.complete(generate());
            } catch (Throwable t) {
                result.completeExceptionally(t);
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
            FinishReason reason = FinishReason.LENGTH;
            int steps = 0;
            long promptNanos;
            long start;
            try (InferenceSession session = model.network().newSession(capacity)) {
                long t0 = System.nanoTime();
                session.append(prompt, prompt.length, logits, false);
                start = System.nanoTime();
                promptNanos = start - t0;
                for (int produced = 0; produced < request.maxTokens(); produced++) {
                    if (cancelled) {
                        reason = FinishReason.CANCELLED;
                        break;
                    }
                    int token = sampler.sample(logits, history, length, prompt.length);
                    if (stops.contains(token)) {
                        reason = FinishReason.STOP;
                        break;
                    }
                    history[length++] = token;
                    String piece = text.push(token);
                    listener.onToken(token, piece);
                    if (text.stopped()) {
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
