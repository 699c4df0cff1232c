package dev.unicorn.engine.transformer;

import dev.unicorn.api.backend.Tensor;

/**
 * The bound tensors of one decoder layer. Optional ones are null.
 *
 * @param attentionNorm       RMSNorm before attention
 * @param q                   query projection {@code [heads·headDim, hidden]}
 * @param k                   key projection {@code [kvHeads·headDim, hidden]}
 * @param v                   value projection {@code [kvHeads·headDim, hidden]}
 * @param o                   output projection {@code [hidden, heads·headDim]}
 * @param qBias               optional query bias
 * @param kBias               optional key bias
 * @param vBias               optional value bias
 * @param oBias               optional output-projection bias
 * @param qNorm               optional per-head RMSNorm of queries {@code [headDim]}
 * @param kNorm               optional per-head RMSNorm of keys
 * @param attentionOutputNorm optional RMSNorm of the attention output before the residual add (Gemma)
 * @param mlpNorm             RMSNorm before the MLP
 * @param gate                gate projection {@code [intermediate, hidden]}
 * @param up                  up projection {@code [intermediate, hidden]}
 * @param down                down projection {@code [hidden, intermediate]}
 * @param mlpOutputNorm       optional RMSNorm of the MLP output before the residual add (Gemma)
 */
public record LayerWeights(Tensor attentionNorm, Tensor q, Tensor k, Tensor v, Tensor o, Tensor qBias, Tensor kBias,
        Tensor vBias, Tensor oBias, Tensor qNorm, Tensor kNorm, Tensor attentionOutputNorm, Tensor mlpNorm, Tensor gate, Tensor up,
        Tensor down, Tensor mlpOutputNorm) {
}
