package dev.unicorn.api.backend;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Kernels recorded in order. A CPU backend may run each at once; a GPU backend records a command buffer and
 * submits it. Every tensor argument must belong to the queue's backend; activations are {@code F32}; weights
 * may be any type the backend {@linkplain ComputeBackend#supports supports}. Results are visible to the host
 * only after {@link #finish()} or through {@link #read}.
 */
@ProviderType
public interface ComputeQueue {

    /** {@code out[i] = table[ids[i]]}, converted to f32, for {@code i < count}. */
    void embed(Tensor table, int[] ids, int count, Tensor out);

    /** {@code out = x · wᵀ (+ bias)}: x {@code [n, k]}, w {@code [m, k]}, bias {@code [1, m]} or null, out {@code [n, m]}. */
    void matmul(Tensor x, Tensor w, Tensor bias, Tensor out);

    /**
     * RMS normalisation of every row of {@code x}, seen as rows of {@code weight.columns()} elements:
     * {@code out = x / rms(x) · (weightOffset + weight)}. Gemma uses offset 1, Qwen 0.
     */
    void rmsNorm(Tensor x, Tensor weight, float eps, float weightOffset, Tensor out);

    /**
     * Rotary position embedding in the half-split ("NeoX") layout, in place: each row of {@code x} holds heads
     * of {@code headDim}; the first {@code rotaryDim} dimensions of each head are rotated by the angles whose
     * cosines and sines for row {@code r} are {@code cos[r·rotaryDim/2 ..]}, {@code sin[...]}.
     */
    void rope(Tensor x, int headDim, int rotaryDim, float[] cos, float[] sin);

    /** Copies {@code src} into {@code dst} starting at row {@code dstRow} (KV cache writes). */
    void copyRows(Tensor src, Tensor dst, long dstRow);

    /**
     * Causal attention of queries {@code q [n, heads·headDim]} over cached keys and values
     * {@code k, v [positions, kvHeads·headDim]}, written to {@code out [n, heads·headDim]}.
     */
    void attention(Tensor q, Tensor k, Tensor v, AttentionSpec spec, Tensor out);

    /** {@code out = activation(gate) · up}, element-wise. */
    void gatedActivation(Activation activation, Tensor gate, Tensor up, Tensor out);

    /** {@code out = a + b}, element-wise. */
    void add(Tensor a, Tensor b, Tensor out);

    /** {@code x *= factor}, element-wise, in place. */
    void scale(Tensor x, float factor);

    /** {@code x = cap · tanh(x / cap)}, element-wise, in place. */
    void softCap(Tensor x, float cap);

    /** Waits for every recorded kernel and copies {@code src} (f32) into {@code dst} from {@code offset}. */
    void read(Tensor src, float[] dst, int offset);

    /** Waits until every recorded kernel has completed. */
    void finish();
}
