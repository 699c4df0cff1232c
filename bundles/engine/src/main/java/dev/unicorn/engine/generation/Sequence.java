package dev.unicorn.engine.generation;

import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import dev.unicorn.api.generation.FinishReason;
import dev.unicorn.api.generation.Generation;
import dev.unicorn.api.generation.GenerationListener;
import dev.unicorn.api.generation.GenerationRequest;
import dev.unicorn.api.generation.GenerationResult;
import dev.unicorn.api.generation.Sampler;
import dev.unicorn.api.generation.TokenConstraint;
import dev.unicorn.api.generation.TokenLogprobs;
import dev.unicorn.api.model.InferenceSession;
import dev.unicorn.api.model.Model;

/**
 * One generation inside a model's {@link ModelScheduler}: its request, KV cache (session), sampler, text and
 * progress. Only {@link #cancel} and {@link #result} are called from other threads; everything else runs on the
 * scheduler thread.
 */
final class Sequence implements Generation {
    enum State {
        WAITING, PREFILL, DECODE, DONE
    }

    final Model model;
    final GenerationRequest request;
    private final CompletableFuture<GenerationResult> result = new CompletableFuture<>();
    final Delivery delivery;
    private final ModelScheduler scheduler;
    private volatile boolean cancelled;

    State state = State.WAITING;
    /** Set by the scheduler when the sequence takes a running slot. */
    boolean admitted;
    private boolean accounted;
    InferenceSession session;
    /** Logits of the latest position; the batched decode step writes here. */
    float[] logits;
    /** The token to append in the next decode step. */
    int pending;
    private Sampler sampler;
    private TextStream text;
    private float[] raw;
    private int[] history;
    private int length;
    private int[] chunk;
    private int prefilled;
    private int produced;
    private int steps;
    private Set<Integer> stops;
    private long prefillStart;
    private long promptNanos;
    private long decodeStart;

    Sequence(ModelScheduler scheduler, Model model, GenerationRequest request, GenerationListener listener) {
        this.scheduler = scheduler;
        this.model = model;
        this.request = request;
        this.delivery = new Delivery(listener, result, scheduler::completedOne, scheduler::wake);
    }

    @Override
    public void cancel() {
        cancelled = true;
        scheduler.cancelled(this);
        scheduler.wake();
    }

    boolean cancelled() {
        return cancelled;
    }

    @Override
    public CompletionStage<GenerationResult> result() {
        return result;
    }

    /** Opens the session and the per-sequence state once admitted; the allocations of a generation happen here. */
    void start(Sampler newSampler) {
        int[] prompt = request.promptIds();
        int context = model.network().info().contextLength();
        int capacity = Math.min(context, prompt.length + Math.max(1, request.maxTokens()));
        stops = request.ignoreStopTokens() ? Set.of() : model.stopTokenIds();
        sampler = newSampler;
        text = new TextStream(model.tokenizer().orElse(null), request.stopStrings());
        logits = new float[model.network().info().vocabularySize()];
        raw = request.topLogprobs() >= 0 ? new float[logits.length] : null;
        history = Arrays.copyOf(prompt, capacity + 1);
        length = prompt.length;
        chunk = new int[Math.min(prompt.length, ModelScheduler.PREFILL_TOKENS_PER_STEP)];
        session = model.network().newSession(capacity);
        state = State.PREFILL;
    }

    /** Appends up to {@code budget} more prompt tokens; returns how many. Logits are ready once the prompt is in. */
    int prefill(int budget) {
        int[] prompt = request.promptIds();
        int n = Math.min(Math.min(budget, chunk.length), prompt.length - prefilled);
        long t0 = System.nanoTime();
        if (prefilled == 0) {
            prefillStart = t0;
        }
        System.arraycopy(prompt, prefilled, chunk, 0, n);
        session.append(chunk, n, logits, false);
        prefilled += n;
        if (prefilled == prompt.length) {
            decodeStart = System.nanoTime();
            promptNanos = decodeStart - prefillStart;
            state = State.DECODE;
        }
        return n;
    }

    /** One more decode step took part in. */
    void stepped() {
        steps++;
    }

    /**
     * Samples the next token from {@link #logits} and delivers it. Returns the token to append next, or -1 when the
     * generation is over (it is then {@linkplain #finish finished}).
     */
    int next() {
        if (produced >= request.maxTokens()) {
            finish(FinishReason.LENGTH);
            return -1;
        }
        if (cancelled) {
            finish(FinishReason.CANCELLED);
            return -1;
        }
        if (raw != null) {
            System.arraycopy(logits, 0, raw, 0, logits.length);
        }
        TokenConstraint constraint = request.constraint();
        if (constraint != null) {
            constraint.mask(logits);
        }
        int token = sampler.sample(logits, history, length, request.promptIds().length);
        // A constraint masks the stop tokens until its value may end: a stop token it let through ends the output.
        if (stops.contains(token)) {
            finish(FinishReason.STOP);
            return -1;
        }
        history[length++] = token;
        produced++;
        scheduler.generated();
        String piece = text.push(token);
        TokenLogprobs lp = raw == null ? null : Logprobs.of(raw, token, request.topLogprobs());
        delivery.token(token, piece, lp);
        if (constraint != null) {
            constraint.accept(token);
        }
        if (text.stopped() || (constraint != null && constraint.complete())) {
            finish(FinishReason.STOP);
            return -1;
        }
        if (produced == request.maxTokens() || session.position() + 1 > session.capacity()) {
            finish(FinishReason.LENGTH);
            return -1;
        }
        pending = token;
        return token;
    }

    /** Ends normally: frees the KV cache; the delivery hands over the held-back text and the result. */
    void finish(FinishReason reason) {
        state = State.DONE;
        closeSession();
        long decodeNanos = decodeStart == 0 ? 0 : System.nanoTime() - decodeStart;
        int promptLength = request.promptIds().length;
        String rest = text == null ? "" : text.finish();
        if (!rest.isEmpty()) {
            delivery.token(-1, rest, null);
        }
        int[] ids = history == null ? new int[0] : Arrays.copyOfRange(history, promptLength, length);
        GenerationResult r = new GenerationResult(ids, text == null ? "" : text.text(), reason, promptLength,
                promptNanos, steps, decodeNanos);
        account();
        delivery.complete(r);
    }

    /** Ends with an error: frees the KV cache; the listener hears nothing more. */
    void fail(Throwable error) {
        state = State.DONE;
        closeSession();
        account();
        delivery.fail(error);
    }

    /** The slot is free once the sequence ends, before its result completes. */
    private void account() {
        if (!accounted) {
            accounted = true;
            scheduler.ended(admitted);
        }
    }

    /** Tokens generated so far. */
    int produced() {
        return produced;
    }

    /** Ended (its delivery may still be handing tokens to the listener). */
    boolean done() {
        return state == State.DONE;
    }

    private void closeSession() {
        if (session != null) {
            try {
                session.close();
            } finally {
                session = null;
            }
        }
    }
}
