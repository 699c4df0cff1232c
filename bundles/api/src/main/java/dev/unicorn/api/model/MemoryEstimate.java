package dev.unicorn.api.model;

/**
 * What a model is expected to occupy once loaded, computed before loading it.
 *
 * @param weightBytes   its tensors as stored (memory-mapped and bound to the backend)
 * @param kvCacheBytes  KV cache for {@code contextTokens} tokens (all sequences together), counting every layer as
 *                      global: an upper bound for models with sliding-window layers
 * @param workingBytes  working tensors of a full prompt batch, logits included
 * @param contextTokens the tokens of context the estimate provides for
 */
public record MemoryEstimate(long weightBytes, long kvCacheBytes, long workingBytes, int contextTokens) {

    /** Everything together. */
    public long totalBytes() {
        return weightBytes + kvCacheBytes + workingBytes;
    }
}
