package dev.unicorn.api.model;

import org.osgi.annotation.versioning.ProviderType;

/** The network of a model with its weights bound to a backend. Closing releases the weights. */
@ProviderType
public interface LoadedModel extends AutoCloseable {

    ModelInfo info();

    /** A new sequence holding at most {@code capacity} tokens (capped at the model's context length). */
    InferenceSession newSession(int capacity);

    /**
     * One decode step of several sequences in one forward pass: appends {@code tokens[i]} to {@code sessions.get(i)}
     * and writes that position's logits to {@code logits[i]}. The sessions must be distinct and come from this
     * model. A model that cannot batch appends them one after the other.
     *
     * @throws ModelException when a session is full or an id is outside the vocabulary
     */
    default void decode(java.util.List<? extends InferenceSession> sessions, int[] tokens, float[][] logits) {
        if (tokens.length != sessions.size() || logits.length != sessions.size()) {
            throw new IllegalArgumentException(sessions.size() + " sessions, " + tokens.length + " tokens and "
                    + logits.length + " logits buffers must be as many");
        }
        for (int i = 0; i < tokens.length; i++) {
            sessions.get(i).append(new int[] {tokens[i]}, 1, logits[i], false);
        }
    }

    @Override
    void close();
}
