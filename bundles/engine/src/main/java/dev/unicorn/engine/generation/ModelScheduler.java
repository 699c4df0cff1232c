package dev.unicorn.engine.generation;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import dev.unicorn.api.generation.FinishReason;
import dev.unicorn.api.model.InferenceSession;
import dev.unicorn.api.model.Model;

/**
 * Continuous batching for one model, on one thread: each iteration admits waiting requests into free slots,
 * prefills newly admitted prompts (at most {@value #PREFILL_TOKENS_PER_STEP} prompt tokens per iteration, so a long
 * prompt does not stall running sequences), runs one batched decode step for every running sequence whose listener
 * is not too far behind, samples each, queues its token for its {@link Delivery} and retires finished ones (closing
 * their sessions frees their KV caches). The thread exits when the model has no
 * work; the next request starts a new one. Its queue and the decision to exit are guarded by the service's lock.
 */
final class ModelScheduler implements Runnable {
    /** Prompt tokens prefilled between two decode steps. */
    static final int PREFILL_TOKENS_PER_STEP = 256;

    private final DefaultGenerationService service;
    private final Model model;
    private final int maxRunning;
    /** Guarded by {@code service.lock}. */
    final ArrayDeque<Sequence> waiting = new ArrayDeque<>();
    /** Set (under the lock) to end every generation with this error and exit. */
    private Throwable stopWith;
    private volatile boolean cancelledWaiting;
    private final Thread thread;
    private final CompletableFuture<Void> exited = new CompletableFuture<>();

    // Scheduler thread only; sized once so that a step allocates nothing.
    private final List<Sequence> running = new ArrayList<>();
    private final List<Sequence> dropped = new ArrayList<>();
    private final List<InferenceSession> stepSessions;
    private final Sequence[] stepSequences;
    private final int[][] stepTokens;
    private final float[][][] stepLogits;

    ModelScheduler(DefaultGenerationService service, Model model, int maxRunning) {
        this.service = service;
        this.model = model;
        this.maxRunning = maxRunning;
        this.stepSessions = new ArrayList<>(maxRunning);
        this.stepSequences = new Sequence[maxRunning];
        this.stepTokens = new int[maxRunning + 1][];
        this.stepLogits = new float[maxRunning + 1][][];
        for (int n = 0; n <= maxRunning; n++) {
            stepTokens[n] = new int[n];
            stepLogits[n] = new float[n][];
        }
        this.thread = Thread.ofPlatform().daemon(true).name("unicorn-scheduler-" + model.location().getFileName())
                .unstarted(this);
    }

    void start() {
        thread.start();
    }

    java.nio.file.Path modelLocation() {
        return model.location();
    }

    boolean onSchedulerThread() {
        return Thread.currentThread() == thread;
    }

    /** Under the service's lock: ends every generation of the model with {@code error} at the next iteration. */
    void stop(Throwable error) {
        stopWith = error;
    }

    /** Completes once the thread has ended all its generations and exited. */
    CompletableFuture<Void> exited() {
        return exited;
    }

    void cancelled(Sequence sequence) {
        if (sequence.state == Sequence.State.WAITING) {
            cancelledWaiting = true;
        }
    }

    @Override
    public void run() {
        try {
            while (admit()) {
                step();
            }
        } catch (Throwable t) {
            // A fault of the scheduler itself: no generation may be left hanging.
            synchronized (service.lock) {
                service.detach(this, model);
                drainWaiting();
            }
            for (Sequence s : running) {
                failQuietly(s, t);
            }
            for (Sequence s : dropped) {
                failQuietly(s, t);
            }
            running.clear();
            dropped.clear();
            throw t;
        } finally {
            exited.complete(null);
        }
    }

    /** Admits waiting requests into free slots; returns false (having detached this scheduler) when there is no work. */
    private boolean admit() {
        Throwable stop;
        synchronized (service.lock) {
            stop = stopWith;
            if (stop != null) {
                service.detach(this, model);
                drainWaiting();
            } else {
                if (cancelledWaiting) {
                    cancelledWaiting = false;
                    for (var it = waiting.iterator(); it.hasNext();) {
                        Sequence s = it.next();
                        if (s.cancelled()) {
                            it.remove();
                            service.waitingChanged(-1);
                            dropped.add(s);
                        }
                    }
                }
                while (running.size() < maxRunning && !waiting.isEmpty()) {
                    Sequence s = waiting.poll();
                    service.waitingChanged(-1);
                    if (s.cancelled()) {
                        dropped.add(s);
                        continue;
                    }
                    s.state = Sequence.State.PREFILL;
                    s.admitted = true;
                    running.add(s);
                    service.runningChanged(1);
                }
                if (running.isEmpty() && dropped.isEmpty()) {
                    service.detach(this, model);
                    return false;
                }
            }
        }
        for (int i = 0; i < dropped.size(); i++) {
            Sequence s = dropped.get(i);
            try {
                s.finish(FinishReason.CANCELLED);
            } catch (RuntimeException e) {
                s.fail(e);
            }
        }
        dropped.clear();
        if (stop != null) {
            for (Sequence s : running) {
                failQuietly(s, stop);
            }
            running.clear();
            return false;
        }
        return true;
    }

    /** Fails every waiting request: called under the lock when stopping. */
    private void drainWaiting() {
        Throwable error = stopWith;
        while (!waiting.isEmpty()) {
            Sequence s = waiting.poll();
            service.waitingChanged(-1);
            s.fail(error != null ? error : new IllegalStateException("the scheduler of " + model.location() + " failed"));
        }
    }

    private void failQuietly(Sequence s, Throwable error) {
        if (!s.done()) {
            s.fail(error);
        }
    }

    /** Prefill of newly admitted prompts within the budget, then one batched decode step, then retirement. */
    private void step() {
        int budget = PREFILL_TOKENS_PER_STEP;
        for (int i = 0; i < running.size(); i++) {
            Sequence s = running.get(i);
            Throwable listenerError = s.delivery.listenerError();
            if (listenerError != null) {
                failQuietly(s, listenerError);
            }
        }
        for (int i = 0; i < running.size() && budget > 0; i++) {
            Sequence s = running.get(i);
            if (s.state != Sequence.State.PREFILL) {
                continue;
            }
            try {
                if (s.cancelled()) {
                    s.finish(FinishReason.CANCELLED);
                    continue;
                }
                if (s.session == null) {
                    s.start(service.newSampler(s.request.sampling()));
                }
                int n = s.prefill(budget);
                budget -= n;
                service.promptTokens(n);
                if (s.state == Sequence.State.DECODE) {
                    sample(s);
                }
            } catch (RuntimeException | Error e) {
                failQuietly(s, e);
            }
        }

        int n = 0;
        stepSessions.clear();
        for (int i = 0; i < running.size(); i++) {
            Sequence s = running.get(i);
            if (s.state == Sequence.State.DECODE && s.cancelled()) {
                s.finish(FinishReason.CANCELLED);
            } else if (s.state == Sequence.State.DECODE && !s.delivery.backlogged()) {
                stepSequences[n] = s;
                stepSessions.add(s.session);
                n++;
            }
        }
        if (n > 0) {
            int[] tokens = stepTokens[n];
            float[][] logits = stepLogits[n];
            for (int i = 0; i < n; i++) {
                tokens[i] = stepSequences[i].pending;
                logits[i] = stepSequences[i].logits;
            }
            boolean ok = false;
            try {
                model.network().decode(stepSessions, tokens, logits);
                ok = true;
            } catch (RuntimeException | Error e) {
                // The step's sequences end; the scheduler keeps serving the others.
                for (int i = 0; i < n; i++) {
                    failQuietly(stepSequences[i], e);
                }
            }
            if (ok) {
                for (int i = 0; i < n; i++) {
                    Sequence s = stepSequences[i];
                    s.stepped();
                    try {
                        sample(s);
                    } catch (RuntimeException | Error e) {
                        failQuietly(s, e);
                    }
                }
            }
            for (int i = 0; i < n; i++) {
                stepSequences[i] = null;
                logits[i] = null;
            }
            stepSessions.clear();
        }

        boolean retired = false;
        for (int i = running.size() - 1; i >= 0; i--) {
            if (running.get(i).done()) {
                running.remove(i);
                retired = true;
            }
        }
        if (n == 0 && budget == PREFILL_TOKENS_PER_STEP && !retired && !running.isEmpty()) {
            // Every running sequence waits for its listener to catch up: wait for a wake-up, briefly.
            java.util.concurrent.locks.LockSupport.parkNanos(this, 10_000_000L);
        }
    }

    /** A generation ended: its slot is free (counted once, by the sequence). */
    void ended(boolean admitted) {
        if (admitted) {
            service.runningChanged(-1);
        }
    }

    /** A generation's result is about to complete (on its delivery thread). */
    void completedOne() {
        service.completed();
    }

    /** Ends a wait for work: a request, a cancellation, a stop or a listener that caught up. */
    void wake() {
        java.util.concurrent.locks.LockSupport.unpark(thread);
    }

    /** One token generated, counted before it is delivered. */
    void generated() {
        service.generated(1);
    }

    private static void sample(Sequence s) {
        s.next();
    }
}
