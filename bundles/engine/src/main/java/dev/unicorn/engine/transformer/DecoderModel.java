package dev.unicorn.engine.transformer;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import dev.unicorn.api.backend.ComputeBackend;
import dev.unicorn.api.backend.ComputeQueue;
import dev.unicorn.api.backend.Tensor;
import dev.unicorn.api.model.InferenceSession;
import dev.unicorn.api.model.LoadedModel;
import dev.unicorn.api.model.ModelException;
import dev.unicorn.api.model.ModelInfo;
import dev.unicorn.api.weights.WeightsSource;

/** A decoder-only transformer bound to a backend. It owns the weights source and the bound tensors. */
public final class DecoderModel implements LoadedModel {
    private final DecoderSpec spec;
    private final DecoderWeights weights;
    private final ComputeBackend backend;
    private final WeightsSource source;
    private final List<Tensor> ownedTensors;
    private final ModelInfo info;
    private volatile boolean closed;
    private final AtomicReference<Thread> decoding = new AtomicReference<>();
    /** Working state of {@link #decode}, made on its first call; touched only by the thread holding {@link #decoding}. */
    private ForwardPass pass;
    private Batch batch;

    public DecoderModel(DecoderSpec spec, DecoderWeights weights, ComputeBackend backend, WeightsSource source,
            WeightBinder binder) {
        if (weights.layers().size() != spec.layerCount()) {
            throw new IllegalArgumentException(weights.layers().size() + " bound layers for " + spec.layerCount());
        }
        this.spec = spec;
        this.weights = weights;
        this.backend = backend;
        this.source = source;
        this.ownedTensors = binder.bound();
        this.info = new ModelInfo(spec.architecture(), spec.vocabularySize(), spec.contextLength(),
                binder.parameters(), binder.bytes());
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    public DecoderSpec spec() {
        return spec;
    }

    @Override
    public InferenceSession newSession(int capacity) {
        if (closed) {
            throw new ModelException(info.architecture() + " model is closed");
        }
        if (capacity <= 0) {
            throw new IllegalArgumentException("session capacity must be positive, got " + capacity);
        }
        return new DecoderSession(this, spec, weights, backend, Math.min(capacity, spec.contextLength()));
    }

    /**
     * One forward pass over one new token of each session: every matmul runs over all rows, so each weight is
     * streamed once per step; each row is rotated at its own session's position, stores its keys and values in its
     * own session's cache (linear or ring) and attends over that cache alone. The working tensors belong to the
     * model, sized for the largest batch seen: one thread at a time may call this (a generation service runs one
     * scheduler thread per model); a concurrent call is refused.
     */
    @Override
    public void decode(List<? extends InferenceSession> sessions, int[] tokens, float[][] logits) {
        int n = sessions.size();
        if (tokens.length != n || logits.length != n) {
            throw new IllegalArgumentException(n + " sessions, " + tokens.length + " tokens and " + logits.length
                    + " logits buffers must be as many");
        }
        if (n == 0) {
            return;
        }
        Thread current = Thread.currentThread();
        Thread other = decoding.compareAndExchange(null, current);
        if (other != null) {
            throw new IllegalStateException("a batched decode of this " + info.architecture() + " model is already "
                    + "running on thread '" + other.getName() + "': one thread at a time may call decode");
        }
        try {
            if (closed) {
                throw new ModelException(info.architecture() + " model is closed");
            }
            Batch b = batch(n);
            int vocab = spec.vocabularySize();
            for (int i = 0; i < n; i++) {
                if (!(sessions.get(i) instanceof DecoderSession s) || s.model() != this) {
                    throw new ModelException("session " + i + " of the batch does not come from this "
                            + info.architecture() + " model");
                }
                for (int j = 0; j < i; j++) {
                    if (b.sessions[j] == s) {
                        throw new ModelException("sessions " + j + " and " + i + " of the batch are the same session");
                    }
                }
                s.checkRoomForOne(i);
                if (tokens[i] < 0 || tokens[i] >= vocab) {
                    throw new ModelException("token id " + tokens[i] + " of session " + i
                            + " is outside the vocabulary [0, " + vocab + ")");
                }
                if (logits[i] == null || logits[i].length < vocab) {
                    throw new IllegalArgumentException("logits buffer " + i + " holds "
                            + (logits[i] == null ? 0 : logits[i].length) + " floats, needs " + vocab);
                }
                b.sessions[i] = s;
                b.positions[i] = s.position();
            }
            b.count = n;
            try {
                pass.layers(tokens, n, b.positions, b);
                Tensor out = pass.logits(0, n);
                for (int i = 0; i < n; i++) {
                    b.sessions[i].advance();
                }
                if (n == 1) {
                    pass.queue().read(out, logits[0], 0);
                } else {
                    for (int i = 0; i < n; i++) {
                        pass.queue().read(pass.row(ForwardPass.Slot.LOGITS, i), logits[i], 0);
                    }
                }
            } finally {
                java.util.Arrays.fill(b.sessions, 0, n, null);
            }
        } finally {
            decoding.set(null);
        }
    }

    /** The sessions of the step being run, and the KV writes and attention of each row in its own session. */
    private final class Batch implements ForwardPass.KvAttention {
        final DecoderSession[] sessions;
        final int[] positions;
        int count;

        Batch(int rows) {
            this.sessions = new DecoderSession[rows];
            this.positions = new int[rows];
        }

        @Override
        public void attend(ComputeQueue queue, int layer, Tensor q, Tensor k, Tensor v, Tensor out) {
            if (count == 1) {
                sessions[0].attend(queue, layer, q, k, v, out);
                return;
            }
            for (int i = 0; i < count; i++) {
                sessions[i].attend(queue, layer, pass.row(ForwardPass.Slot.Q, i), pass.row(ForwardPass.Slot.K, i),
                        pass.row(ForwardPass.Slot.V, i), pass.row(ForwardPass.Slot.ATTENDED, i));
            }
        }
    }

    private Batch batch(int n) {
        if (pass == null) {
            pass = new ForwardPass(spec, weights, backend);
        }
        if (batch == null || batch.sessions.length < n) {
            batch = new Batch(n);
        }
        return batch;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (decoding.compareAndSet(null, Thread.currentThread())) {
                if (pass != null) {
                    pass.close();
                }
                decoding.set(null);
            }
            ownedTensors.forEach(Tensor::close);
            source.close();
        }
    }
}
