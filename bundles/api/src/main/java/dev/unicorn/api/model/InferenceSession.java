package dev.unicorn.api.model;

import org.osgi.annotation.versioning.ProviderType;

/**
 * One sequence being processed, with its KV cache. Not thread-safe: one generation uses it at a time.
 * Closing frees the cache.
 */
@ProviderType
public interface InferenceSession extends AutoCloseable {

    /** Tokens already in the cache. */
    int position();

    /** The most tokens this session can hold. */
    int capacity();

    /**
     * Runs the forward pass over {@code count} tokens appended after {@link #position()}, in one batch.
     *
     * @param logits       receives the logits: of every appended position ({@code count × vocab}) when
     *                     {@code allPositions}, else of the last one ({@code vocab})
     * @throws ModelException when the tokens do not fit the capacity or an id is outside the vocabulary
     */
    void append(int[] tokens, int count, float[] logits, boolean allPositions);

    /** Forgets the cache beyond {@code position} tokens (0 restarts the sequence). */
    void rewind(int position);

    @Override
    void close();
}
