package dev.unicorn.engine.generation;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import dev.unicorn.api.generation.GenerationListener;
import dev.unicorn.api.generation.GenerationResult;
import dev.unicorn.api.generation.TokenLogprobs;

/**
 * Hands one generation's tokens to its listener on a thread of its own (a virtual thread started with the first
 * event), so a slow listener holds up only its own generation: the scheduler queues tokens here and moves on. At most
 * {@value #BACKLOG} tokens wait; beyond that the scheduler leaves the sequence out of decode steps until its listener
 * catches up. Tokens sit in preallocated rings: queuing allocates nothing.
 */
final class Delivery implements Runnable {
    /** Tokens generated but not yet delivered, after which the sequence pauses. */
    static final int BACKLOG = 64;

    private final GenerationListener listener;
    private final CompletableFuture<GenerationResult> future;
    private final Runnable beforeCompletion;
    private final Runnable progress;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    // Guarded by lock; one slot more than the backlog for the held-back text delivered at the end.
    private final int[] ids = new int[BACKLOG + 1];
    private final String[] texts = new String[BACKLOG + 1];
    private final TokenLogprobs[] logprobs = new TokenLogprobs[BACKLOG + 1];
    private int head;
    private int size;
    private GenerationResult result;
    private Throwable error;
    private boolean started;
    private volatile Throwable listenerError;

    /**
     * @param beforeCompletion runs on the delivery thread just before the future completes (statistics)
     * @param progress         runs after a listener has taken tokens out of a full backlog (wakes the scheduler)
     */
    Delivery(GenerationListener listener, CompletableFuture<GenerationResult> future, Runnable beforeCompletion,
            Runnable progress) {
        this.listener = listener;
        this.future = future;
        this.beforeCompletion = beforeCompletion;
        this.progress = progress;
    }

    /** Whether the listener is {@value #BACKLOG} tokens behind: the sequence waits for it. */
    boolean backlogged() {
        lock.lock();
        try {
            return size >= BACKLOG;
        } finally {
            lock.unlock();
        }
    }

    /** The exception the listener threw, or null: its generation ends with it. */
    Throwable listenerError() {
        return listenerError;
    }

    /** Queues a token (id -1: the held-back text at the end). */
    void token(int id, String text, TokenLogprobs lp) {
        lock.lock();
        try {
            if (size == ids.length) {
                throw new IllegalStateException("the delivery backlog of " + BACKLOG + " tokens overflowed");
            }
            int at = (head + size) % ids.length;
            ids[at] = id;
            texts[at] = text;
            logprobs[at] = lp;
            size++;
            startOrSignal();
        } finally {
            lock.unlock();
        }
    }

    /** After the queued tokens, {@code onComplete} and the result. */
    void complete(GenerationResult r) {
        end(r, null);
    }

    /** Drops the tokens not yet delivered and completes exceptionally. */
    void fail(Throwable t) {
        end(null, t);
    }

    private void end(GenerationResult r, Throwable t) {
        lock.lock();
        try {
            if (result != null || error != null) {
                return;
            }
            result = r;
            error = t;
            startOrSignal();
        } finally {
            lock.unlock();
        }
    }

    private void startOrSignal() {
        if (!started) {
            started = true;
            Thread.ofVirtual().name("unicorn-delivery").start(this);
        } else {
            changed.signal();
        }
    }

    @Override
    public void run() {
        while (true) {
            int id;
            String text;
            TokenLogprobs lp;
            boolean wasFull;
            lock.lock();
            try {
                while (size == 0 && result == null && error == null) {
                    changed.awaitUninterruptibly();
                }
                if (error != null) {
                    size = 0;
                    break;
                }
                if (size == 0) {
                    break; // result set, everything delivered
                }
                id = ids[head];
                text = texts[head];
                lp = logprobs[head];
                texts[head] = null;
                logprobs[head] = null;
                wasFull = size >= BACKLOG;
                head = (head + 1) % ids.length;
                size--;
            } finally {
                lock.unlock();
            }
            if (listenerError == null) {
                try {
                    if (id < 0) {
                        listener.onToken(id, text);
                    } else {
                        listener.onToken(id, text, lp);
                    }
                } catch (RuntimeException | Error e) {
                    listenerError = e; // the scheduler ends the sequence and then fails this delivery
                }
            }
            if (wasFull || listenerError != null) {
                progress.run();
            }
        }
        Throwable failure;
        GenerationResult r;
        lock.lock();
        try {
            failure = error;
            r = result;
        } finally {
            lock.unlock();
        }
        if (failure == null && listenerError != null) {
            failure = listenerError;
        }
        if (failure == null) {
            try {
                listener.onComplete(r);
            } catch (RuntimeException | Error e) {
                failure = e;
            }
        }
        beforeCompletion.run();
        if (failure == null) {
            future.complete(r);
        } else {
            future.completeExceptionally(failure);
        }
    }
}
