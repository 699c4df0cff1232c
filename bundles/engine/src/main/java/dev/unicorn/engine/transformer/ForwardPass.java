package dev.unicorn.engine.transformer;

import java.util.ArrayList;
import java.util.List;

import dev.unicorn.api.backend.ComputeBackend;
import dev.unicorn.api.backend.ComputeQueue;
import dev.unicorn.api.backend.Tensor;

/**
 * The decoder's forward pass over a batch of rows, written once for its two callers: a session's prompt batch
 * (consecutive positions of one sequence) and a batched decode step (row {@code i} is the next token of sequence
 * {@code i}). What differs is where each row's keys and values go and what they attend to: {@link KvAttention}.
 * Working tensors are allocated for the largest batch seen and reused, so a step allocates nothing. Not
 * thread-safe: one thread runs a pass at a time.
 */
final class ForwardPass implements AutoCloseable {

    /** Stores a layer's new keys and values of every row in the KV caches and computes the rows' attention. */
    interface KvAttention {
        void attend(ComputeQueue queue, int layer, Tensor q, Tensor k, Tensor v, Tensor out);
    }

    private final DecoderSpec spec;
    private final DecoderWeights weights;
    private final ComputeBackend backend;
    private final ComputeQueue queue;
    /** The distinct RoPE frequencies of the layers; angles are computed once per pass for each. */
    private final List<RopeFrequencies> ropes = new ArrayList<>();
    private final int[] ropeOfLayer;
    private final float[][] cos;
    private final float[][] sin;
    private final List<Tensor> owned = new ArrayList<>();
    private Work work;
    private Tensor logits;
    private Tensor[][] rowViews = new Tensor[Slot.values().length][];
    private Tensor lastX;
    private Tensor lastH;

    /** Working tensors for batches of up to {@code rows} rows. */
    private record Work(int rows, Tensor x, Tensor h, Tensor q, Tensor k, Tensor v, Tensor attended, Tensor projected,
            Tensor gate, Tensor up) {
    }

    /** Tensors whose single rows a batched step addresses one sequence at a time. */
    enum Slot {
        Q, K, V, ATTENDED, LOGITS
    }

    ForwardPass(DecoderSpec spec, DecoderWeights weights, ComputeBackend backend) {
        this.spec = spec;
        this.weights = weights;
        this.backend = backend;
        this.queue = backend.newQueue();
        this.ropeOfLayer = new int[spec.layerCount()];
        for (int l = 0; l < spec.layerCount(); l++) {
            RopeFrequencies rope = spec.layers().get(l).rope();
            int index = indexOf(rope);
            if (index < 0) {
                index = ropes.size();
                ropes.add(rope);
            }
            ropeOfLayer[l] = index;
        }
        this.cos = new float[ropes.size()][0];
        this.sin = new float[ropes.size()][0];
    }

    private int indexOf(RopeFrequencies rope) {
        for (int i = 0; i < ropes.size(); i++) {
            if (ropes.get(i) == rope) {
                return i;
            }
        }
        return -1;
    }

    ComputeQueue queue() {
        return queue;
    }

    /**
     * Runs the embedding and every layer over {@code ids[0..n)}, row {@code i} at position {@code positions[i]}.
     * The residual stream stays in the working tensors for {@link #logits}.
     */
    void layers(int[] ids, int n, int[] positions, KvAttention attention) {
        Work w = work(n);
        Tensor x = w.x.rows(0, n);
        Tensor h = w.h.rows(0, n);
        lastX = x;
        lastH = h;
        Tensor q = w.q.rows(0, n);
        Tensor k = w.k.rows(0, n);
        Tensor v = w.v.rows(0, n);
        Tensor attended = w.attended.rows(0, n);
        Tensor projected = w.projected.rows(0, n);
        Tensor gate = w.gate.rows(0, n);
        Tensor up = w.up.rows(0, n);
        for (int r = 0; r < ropes.size(); r++) {
            ropes.get(r).angles(positions, n, cos[r], sin[r]);
        }

        queue.embed(weights.embedding(), ids, n, x);
        if (spec.embeddingScale() != 1f) {
            queue.scale(x, spec.embeddingScale());
        }
        float eps = spec.normEps();
        float offset = spec.normWeightOffset();
        for (int l = 0; l < spec.layerCount(); l++) {
            LayerSpec ls = spec.layers().get(l);
            LayerWeights lw = weights.layers().get(l);
            queue.rmsNorm(x, lw.attentionNorm(), eps, offset, h);
            queue.matmul(h, lw.q(), lw.qBias(), q);
            queue.matmul(h, lw.k(), lw.kBias(), k);
            queue.matmul(h, lw.v(), lw.vBias(), v);
            if (lw.qNorm() != null) {
                queue.rmsNorm(q, lw.qNorm(), eps, offset, q);
                queue.rmsNorm(k, lw.kNorm(), eps, offset, k);
            }
            int r = ropeOfLayer[l];
            queue.rope(q, spec.headDim(), ls.rope().rotaryDim(), cos[r], sin[r]);
            queue.rope(k, spec.headDim(), ls.rope().rotaryDim(), cos[r], sin[r]);
            attention.attend(queue, l, q, k, v, attended);
            queue.matmul(attended, lw.o(), lw.oBias(), projected);
            if (lw.attentionOutputNorm() != null) {
                queue.rmsNorm(projected, lw.attentionOutputNorm(), eps, offset, projected);
            }
            queue.add(x, projected, x);
            queue.rmsNorm(x, lw.mlpNorm(), eps, offset, h);
            queue.matmul(h, lw.gate(), null, gate);
            queue.matmul(h, lw.up(), null, up);
            queue.gatedActivation(spec.activation(), gate, up, gate);
            queue.matmul(gate, lw.down(), null, projected);
            if (lw.mlpOutputNorm() != null) {
                queue.rmsNorm(projected, lw.mlpOutputNorm(), eps, offset, projected);
            }
            queue.add(x, projected, x);
        }
    }

    /**
     * The final norm and output head over rows {@code [first, first + count)} of the last {@link #layers} call;
     * returns the {@code count × vocab} logits, to {@linkplain ComputeQueue#read read} or address by {@link #row}.
     */
    Tensor logits(int first, int count) {
        if (logits == null || logits.rows() < count) {
            if (logits != null) {
                owned.remove(logits);
                logits.close();
            }
            logits = own(backend.allocate(count, spec.vocabularySize()));
            rowViews[Slot.LOGITS.ordinal()] = null;
        }
        Tensor normed = lastX.rows(first, count);
        Tensor out = lastH.rows(first, count);
        queue.rmsNorm(normed, weights.finalNorm(), spec.normEps(), spec.normWeightOffset(), out);
        Tensor result = logits.rows(0, count);
        queue.matmul(out, weights.outputHead(), null, result);
        if (spec.finalSoftCap() > 0) {
            queue.softCap(result, spec.finalSoftCap());
        }
        return result;
    }

    /** Row {@code i} of a working tensor as a view made once, so batched steps allocate no views. */
    Tensor row(Slot slot, int i) {
        Tensor whole = switch (slot) {
            case Q -> work.q;
            case K -> work.k;
            case V -> work.v;
            case ATTENDED -> work.attended;
            case LOGITS -> logits;
        };
        Tensor[] views = rowViews[slot.ordinal()];
        if (views == null) {
            views = new Tensor[(int) whole.rows()];
            rowViews[slot.ordinal()] = views;
        }
        if (views[i] == null) {
            views[i] = whole.rows(i, 1);
        }
        return views[i];
    }

    private Work work(int n) {
        if (work != null && work.rows >= n) {
            return work;
        }
        int rows = Math.max(n, work == null ? 1 : work.rows);
        if (work != null) {
            for (Tensor t : List.of(work.x, work.h, work.q, work.k, work.v, work.attended, work.projected, work.gate,
                    work.up)) {
                owned.remove(t);
                t.close();
            }
        }
        int qWidth = spec.heads() * spec.headDim();
        int kvWidth = spec.kvHeads() * spec.headDim();
        work = new Work(rows, own(backend.allocate(rows, spec.hiddenSize())),
                own(backend.allocate(rows, spec.hiddenSize())), own(backend.allocate(rows, qWidth)),
                own(backend.allocate(rows, kvWidth)), own(backend.allocate(rows, kvWidth)),
                own(backend.allocate(rows, qWidth)), own(backend.allocate(rows, spec.hiddenSize())),
                own(backend.allocate(rows, spec.intermediateSize())),
                own(backend.allocate(rows, spec.intermediateSize())));
        for (int r = 0; r < ropes.size(); r++) {
            int size = rows * ropes.get(r).rotaryDim() / 2;
            cos[r] = new float[size];
            sin[r] = new float[size];
        }
        Tensor[] logitRows = rowViews[Slot.LOGITS.ordinal()];
        rowViews = new Tensor[Slot.values().length][];
        rowViews[Slot.LOGITS.ordinal()] = logitRows;
        return work;
    }

    private Tensor own(Tensor t) {
        owned.add(t);
        return t;
    }

    @Override
    public void close() {
        owned.forEach(Tensor::close);
        owned.clear();
        work = null;
        logits = null;
        lastX = null;
        lastH = null;
    }
}
