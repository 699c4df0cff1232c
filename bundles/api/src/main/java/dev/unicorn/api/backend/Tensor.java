package dev.unicorn.api.backend;

import org.osgi.annotation.versioning.ProviderType;

import dev.unicorn.api.weights.DType;

/**
 * A two-dimensional tensor in memory owned by a backend: {@code rows × columns} elements, row-major.
 * Activations are {@code [tokens, features]}; weights are {@code [outputs, inputs]}.
 */
@ProviderType
public interface Tensor extends AutoCloseable {

    DType type();

    long rows();

    long columns();

    /** A view of {@code count} consecutive rows starting at {@code first}; it shares memory and is not closed separately. */
    Tensor rows(long first, long count);

    /** The same memory seen as {@code rows × columns} with the same element count. */
    Tensor reshape(long rows, long columns);

    /** Frees the memory this tensor owns; views and bound weights free nothing. */
    @Override
    void close();
}
