package dev.unicorn.engine.transformer;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import dev.unicorn.api.backend.AttentionSpec;
import dev.unicorn.api.backend.ComputeBackend;
import dev.unicorn.api.backend.ComputeQueue;
import dev.unicorn.api.backend.Tensor;
import dev.unicorn.api.model.InferenceSession;
import dev.unicorn.api.model.ModelException;

/**
 * One sequence through a {@link DecoderModel}: its KV cache and working tensors, and the forward pass. Prompts are
 * processed in batches of up to {@link #MAX_BATCH} tokens; working tensors are allocated once per batch size and
 * reused, so decoding allocates nothing per token.
 * <p>A sliding-window layer caches only the last {@code window + batch - 1} positions, in a ring (position
 * {@code p} at row {@code p % rows}): a batch writes its keys before its queries read, so the ring must still hold
 * the oldest key the batch's first query sees. Batches are capped at the smallest window, so a ring never exceeds
 * {@code 2·window - 1} rows, and with windows of {@value #MAX_BATCH} or more it is {@code window + 255} rows.
 */
final class DecoderSession implements InferenceSession {
    static final int MAX_BATCH = 256;

    private final DecoderSpec spec;
    private final DecoderWeights weights;
    private final ComputeBackend backend;
    private final ComputeQueue queue;
    private final int capacity;
    private final int batch;
    private final int[] ringRows;
    private final List<Tensor> keyCache = new ArrayList<>();
    private final List<Tensor> valueCache = new ArrayList<>();
    private final Map<RopeFrequencies, float[][]> angles = new IdentityHashMap<>();
    private final List<Tensor> owned = new ArrayList<>();
    private Work work;
    private int position;

    /** Working tensors for batches of up to {@code rows} tokens. */
    private record Work(int rows, Tensor x, Tensor h, Tensor q, Tensor k, Tensor v, Tensor attended, Tensor projected,
            Tensor gate, Tensor up, Tensor logits, int logitRows) {
    }

    DecoderSession(DecoderSpec spec, DecoderWeights weights, ComputeBackend backend, int capacity) {
        this.spec = spec;
        this.weights = weights;
        this.backend = backend;
        this.capacity = capacity;
        this.queue = backend.newQueue();
        int kvWidth = spec.kvHeads() * spec.headDim();
        int smallestWindow = spec.layers().stream().mapToInt(LayerSpec::window).filter(w -> w > 0).min()
                .orElse(MAX_BATCH);
        this.batch = Math.min(MAX_BATCH, smallestWindow);
        this.ringRows = new int[spec.layerCount()];
        try {
            for (int l = 0; l < spec.layerCount(); l++) {
                int window = spec.layers().get(l).window();
                int ring = window + batch - 1;
                ringRows[l] = window > 0 && ring < capacity ? ring : 0;
                int rows = ringRows[l] > 0 ? ring : capacity;
                keyCache.add(own(backend.allocate(rows, kvWidth)));
                valueCache.add(own(backend.allocate(rows, kvWidth)));
            }
        } catch (RuntimeException | OutOfMemoryError e) {
            close();
            throw new ModelException("cannot allocate a KV cache of " + capacity + " tokens on backend '"
                    + backend.id() + "': " + e.getMessage(), e);
        }
    }

    private Tensor own(Tensor t) {
        owned.add(t);
        return t;
    }

    @Override
    public int position() {
        return position;
    }

    @Override
    public int capacity() {
        return capacity;
    }

    @Override
    public void rewind(int newPosition) {
        if (newPosition < 0 || newPosition > position) {
            throw new IllegalArgumentException("cannot rewind to " + newPosition + " from " + position);
        }
        for (int l = 0; l < ringRows.length; l++) {
            // The ring must still hold the keys the next query at newPosition sees.
            int oldestKept = position - ringRows[l];
            int oldestNeeded = newPosition - spec.layers().get(l).window() + 1;
            if (ringRows[l] > 0 && newPosition > 0 && oldestNeeded < oldestKept) {
                throw new ModelException("cannot rewind from " + position + " to " + newPosition + ": layer " + l
                        + " keeps only the last " + ringRows[l] + " positions of its sliding window; rewind to 0 "
                        + "and append the tokens again");
            }
        }
        position = newPosition;
    }

    @Override
    public void append(int[] tokens, int count, float[] logits, boolean allPositions) {
        if (count <= 0 || count > tokens.length) {
            throw new IllegalArgumentException("count " + count + " must be in 1.." + tokens.length);
        }
        if (position + count > capacity) {
            throw new ModelException("context full: " + position + " tokens cached + " + count + " new exceed the "
                    + "session capacity of " + capacity);
        }
        int vocab = spec.vocabularySize();
        for (int i = 0; i < count; i++) {
            if (tokens[i] < 0 || tokens[i] >= vocab) {
                throw new ModelException("token id " + tokens[i] + " at index " + i + " is outside the vocabulary [0, "
                        + vocab + ")");
            }
        }
        long needed = allPositions ? (long) count * vocab : vocab;
        if (logits.length < needed) {
            throw new IllegalArgumentException("logits buffer holds " + logits.length + " floats, needs " + needed);
        }
        if (count <= batch) {
            forward(tokens, count, logits, 0, allPositions);
            return;
        }
        int[] chunk = new int[batch];
        for (int done = 0; done < count;) {
            int n = Math.min(batch, count - done);
            System.arraycopy(tokens, done, chunk, 0, n);
            boolean last = done + n == count;
            forward(chunk, n, allPositions || last ? logits : null, allPositions ? done * vocab : 0, allPositions);
            done += n;
        }
    }

    private void forward(int[] ids, int n, float[] logitsOut, int logitsOffset, boolean allPositions) {
        Work w = work(n, allPositions ? n : 1);
        Tensor x = w.x.rows(0, n);
        Tensor h = w.h.rows(0, n);
        Tensor q = w.q.rows(0, n);
        Tensor k = w.k.rows(0, n);
        Tensor v = w.v.rows(0, n);
        Tensor attended = w.attended.rows(0, n);
        Tensor projected = w.projected.rows(0, n);
        Tensor gate = w.gate.rows(0, n);
        Tensor up = w.up.rows(0, n);

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
            float[][] cs = angles(ls.rope(), n);
            queue.rope(q, spec.headDim(), ls.rope().rotaryDim(), cs[0], cs[1]);
            queue.rope(k, spec.headDim(), ls.rope().rotaryDim(), cs[0], cs[1]);
            Tensor keys = keyCache.get(l);
            Tensor values = valueCache.get(l);
            int ring = ringRows[l];
            if (ring == 0) {
                queue.copyRows(k, keys, position);
                queue.copyRows(v, values, position);
                keys = keys.rows(0, position + n);
                values = values.rows(0, position + n);
            } else {
                int row = position % ring;
                int before = Math.min(n, ring - row);
                queue.copyRows(before == n ? k : k.rows(0, before), keys, row);
                queue.copyRows(before == n ? v : v.rows(0, before), values, row);
                if (before < n) {
                    queue.copyRows(k.rows(before, n - before), keys, 0);
                    queue.copyRows(v.rows(before, n - before), values, 0);
                }
            }
            queue.attention(q, keys, values, new AttentionSpec(spec.heads(), spec.kvHeads(), spec.headDim(),
                    spec.attentionScale(), position, ls.window(), spec.attentionSoftCap(), ring), attended);
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
        position += n;
        if (logitsOut == null) {
            queue.finish();
            return;
        }
        Tensor last = allPositions ? h : h.rows(n - 1, 1);
        Tensor normed = allPositions ? x : x.rows(n - 1, 1);
        queue.rmsNorm(normed, weights.finalNorm(), eps, offset, last);
        Tensor logits = w.logits.rows(0, allPositions ? n : 1);
        queue.matmul(last, weights.outputHead(), null, logits);
        if (spec.finalSoftCap() > 0) {
            queue.softCap(logits, spec.finalSoftCap());
        }
        queue.read(logits, logitsOut, logitsOffset);
    }

    private float[][] angles(RopeFrequencies rope, int n) {
        float[][] cs = angles.computeIfAbsent(rope, r -> new float[2][MAX_BATCH * r.rotaryDim() / 2]);
        rope.angles(position, n, cs[0], cs[1]);
        return cs;
    }

    /** Working tensors big enough for {@code n} rows and {@code logitRows} rows of logits. */
    private Work work(int n, int logitRows) {
        if (work != null && work.rows >= n && work.logitRows >= logitRows) {
            return work;
        }
        int rows = Math.max(n, work == null ? 1 : work.rows);
        int lr = Math.max(logitRows, work == null ? 1 : work.logitRows);
        if (work != null) {
            for (Tensor t : List.of(work.x, work.h, work.q, work.k, work.v, work.attended, work.projected, work.gate,
                    work.up, work.logits)) {
                owned.remove(t);
                t.close();
            }
        }
        int qWidth = spec.heads() * spec.headDim();
        int kvWidth = spec.kvHeads() * spec.headDim();
        work = new Work(rows, own(backend.allocate(rows, spec.hiddenSize())), own(backend.allocate(rows, spec.hiddenSize())),
                own(backend.allocate(rows, qWidth)), own(backend.allocate(rows, kvWidth)),
                own(backend.allocate(rows, kvWidth)), own(backend.allocate(rows, qWidth)),
                own(backend.allocate(rows, spec.hiddenSize())), own(backend.allocate(rows, spec.intermediateSize())),
                own(backend.allocate(rows, spec.intermediateSize())), own(backend.allocate(lr, spec.vocabularySize())),
                lr);
        return work;
    }

    @Override
    public void close() {
        owned.forEach(Tensor::close);
        owned.clear();
        keyCache.clear();
        valueCache.clear();
        work = null;
    }
}
