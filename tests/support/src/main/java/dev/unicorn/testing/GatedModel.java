package dev.unicorn.testing;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import dev.unicorn.api.model.InferenceSession;
import dev.unicorn.api.model.LoadedModel;
import dev.unicorn.api.model.Model;
import dev.unicorn.api.model.ModelException;
import dev.unicorn.api.model.ModelInfo;
import dev.unicorn.api.text.ChatTemplate;
import dev.unicorn.api.text.Tokenizer;

/**
 * A real model seen through a wrapper that lets a test hold the generation service's scheduler (the first new session
 * waits for {@link #open}) so that requests queue deterministically, and inject a fault into the next batched decode
 * step. Everything else is the wrapped model's.
 */
public final class GatedModel implements Model {
    private final Model model;
    private final CountDownLatch gate = new CountDownLatch(1);
    private final AtomicBoolean held = new AtomicBoolean(true);
    private final CountDownLatch holding = new CountDownLatch(1);
    private final AtomicInteger faultAtBatch = new AtomicInteger();
    private final AtomicInteger failedBatch = new AtomicInteger();
    private final AtomicInteger largestBatch = new AtomicInteger();
    private final LoadedModel network;

    public GatedModel(Model model) {
        this.model = model;
        this.network = new LoadedModel() {
            @Override
            public ModelInfo info() {
                return model.network().info();
            }

            @Override
            public InferenceSession newSession(int capacity) {
                if (held.getAndSet(false)) {
                    holding.countDown();
                    BatchingChecks.await(gate);
                }
                return model.network().newSession(capacity);
            }

            @Override
            public void decode(List<? extends InferenceSession> sessions, int[] tokens, float[][] logits) {
                largestBatch.accumulateAndGet(sessions.size(), Math::max);
                int at = faultAtBatch.get();
                if (at > 0 && sessions.size() >= at && faultAtBatch.compareAndSet(at, 0)) {
                    failedBatch.set(sessions.size());
                    throw new ModelException("injected fault in the forward pass");
                }
                model.network().decode(sessions, tokens, logits);
            }

            @Override
            public void close() {
            }
        };
    }

    /** Waits until the scheduler is held in the first session's creation. */
    public void awaitHeld() {
        BatchingChecks.await(holding);
    }

    /** Lets the held scheduler go on. */
    public void open() {
        gate.countDown();
    }

    /** The next batched decode step of at least {@code sessions} sessions throws a {@link ModelException}. */
    public void failNextDecodeOf(int sessions) {
        faultAtBatch.set(sessions);
    }

    /** The most sessions one decode step has held. */
    public int largestBatch() {
        return largestBatch.get();
    }

    /** How many sessions the failed step had, 0 before it. */
    public int failedBatch() {
        return failedBatch.get();
    }

    @Override
    public Path location() {
        return model.location();
    }

    @Override
    public LoadedModel network() {
        return network;
    }

    @Override
    public Optional<Tokenizer> tokenizer() {
        return model.tokenizer();
    }

    @Override
    public Optional<ChatTemplate> chatTemplate() {
        return model.chatTemplate();
    }

    @Override
    public Set<Integer> stopTokenIds() {
        return model.stopTokenIds();
    }

    @Override
    public String backendId() {
        return model.backendId();
    }

    /** The wrapped model stays open: its owner closes it. */
    @Override
    public void close() {
    }
}
