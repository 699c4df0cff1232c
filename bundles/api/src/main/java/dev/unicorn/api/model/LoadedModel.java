package dev.unicorn.api.model;

import org.osgi.annotation.versioning.ProviderType;

/** The network of a model with its weights bound to a backend. Closing releases the weights. */
@ProviderType
public interface LoadedModel extends AutoCloseable {

    ModelInfo info();

    /** A new sequence holding at most {@code capacity} tokens (capped at the model's context length). */
    InferenceSession newSession(int capacity);

    @Override
    void close();
}
