package dev.unicorn.api.model;

import java.nio.file.Path;

import org.osgi.annotation.versioning.ProviderType;

/** Loads models from disk using the architectures, weights formats, backends and tokenizers registered now. */
@ProviderType
public interface ModelLoader {

    /**
     * Loads the model at {@code location} (a Hugging Face folder).
     *
     * @param backendId the backend to use, or null for the highest-ranked one that supports the weights
     * @throws ModelException naming what is missing or wrong
     */
    Model load(Path location, String backendId);

    /**
     * Estimates the memory the model at {@code location} needs for {@code contextTokens} tokens of KV cache, from its
     * config and tensor sizes, without binding any weight.
     *
     * @throws ModelException when the location holds no model this runtime can read
     */
    MemoryEstimate estimate(Path location, int contextTokens);
}
