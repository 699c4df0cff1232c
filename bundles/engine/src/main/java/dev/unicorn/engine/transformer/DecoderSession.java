package dev.unicorn.engine.transformer;

import java.util.ArrayList;
import java.util.List;

import dev.unicorn.api.backend.AttentionSpec;
import dev.unicorn.api.backend.ComputeBackend;
import dev.unicorn.api.backend.ComputeQueue;
import dev.unicorn.api.backend.Tensor;
import dev.unicorn.api.model.InferenceSession;
import dev.unicorn.api.model.ModelException;

/**
 * One sequence through a {@link DecoderModel}: its KV cache, and a {@link ForwardPass} of its own for appends.
 * Prompts are processed in batches of up to {@link #MAX_BATCH} tokens; working tensors are allocated once for the
 * largest batch and reused, so decoding allocates nothing per token. In a batched decode step
 * ({@link DecoderModel#decode}) the model's pass runs the layers and the session only stores its row's keys and
 * values and attends over its own cache ({@link #attend}).
 * <p>A sliding-window layer caches only the last {@code window + batch - 1} positions, in a ring (position
 * {@code p} at row {@code p % rows}): a batch writes its keys before its queries read, so the ring must still hold
 * the oldest key the batch's first query sees. Batches are capped at the smallest window, so a ring never exceeds
 * {@code 2·window - 1} rows, and with windows of {@value #MAX_BATCH} or more it is {@code window + 255} rows.
 */
final class DecoderSession implements InferenceSession, ForwardPass.KvAttention {
    static final int MAX_BATCH = 256;

    private final DecoderModel model;
    private final DecoderSpec spec;
    private final int capacity;
    private final int batch;
    private final int[] ringRows;
    private final List<Tensor> keyCache = new ArrayList<>();
    private final List<Tensor> valueCache = new ArrayList<>();
    private final List<Tensor> owned = new ArrayList<>();
    private final ForwardPass pass;
    private final int[] rowPositions;
    private int position;
    private boolean closed;

    DecoderSession(DecoderModel model, DecoderSpec spec, DecoderWeights weights, ComputeBackend backend,
            int capacity) {
        this.model = model;
        this.spec = spec;
        this.capacity = capacity;
        this.pass = new ForwardPass(spec, weights, backend);
        int kvWidth = spec.kvHeads() * spec.headDim();
        int smallestWindow = spec.layers().stream().mapToInt(LayerSpec::window).filter(w -> w > 0).min()
                .orElse(MAX_BATCH);
        this.batch = Math.min(MAX_BATCH, smallestWindow);
        this.rowPositions = new int[batch];
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
        if (closed) {
            throw new ModelException("the session is closed");
        }
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
        for (int i = 0; i < n; i++) {
            rowPositions[i] = position + i;
        }
        pass.layers(ids, n, rowPositions, this);
        position += n;
        if (logitsOut == null) {
            pass.queue().finish();
            return;
        }
        Tensor logits = allPositions ? pass.logits(0, n) : pass.logits(n - 1, 1);
        pass.queue().read(logits, logitsOut, logitsOffset);
    }

    /**
     * Writes the keys and values of {@code q.rows()} new positions from {@link #position()} into this session's
     * cache and computes their attention; the caller advances the position after the last layer.
     */
    @Override
    public void attend(ComputeQueue queue, int layer, Tensor q, Tensor k, Tensor v, Tensor out) {
        int n = (int) q.rows();
        Tensor keys = keyCache.get(layer);
        Tensor values = valueCache.get(layer);
        int ring = ringRows[layer];
        if (ring == 0) {
            queue.copyRows(k, keys, position);
            queue.copyRows(v, values, position);
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
        // A linear cache is passed whole: query row i reads only rows up to position + i.
        queue.attention(q, keys, values, new AttentionSpec(spec.heads(), spec.kvHeads(), spec.headDim(),
                spec.attentionScale(), position, spec.layers().get(layer).window(), spec.attentionSoftCap(), ring),
                out);
    }

    /** Checks that one more token fits, for a batched decode step. */
    void checkRoomForOne(int index) {
        if (closed) {
            throw new ModelException("session " + index + " of the batch is closed");
        }
        if (position + 1 > capacity) {
            throw new ModelException("context full: session " + index + " of the batch holds " + position
                    + " tokens, its capacity");
        }
    }

    /** Moves past the token a batched decode step appended. */
    void advance() {
        position++;
    }

    DecoderModel model() {
        return model;
    }

    @Override
    public void close() {
        closed = true;
        pass.close();
        owned.forEach(Tensor::close);
        owned.clear();
        keyCache.clear();
        valueCache.clear();
    }
}
