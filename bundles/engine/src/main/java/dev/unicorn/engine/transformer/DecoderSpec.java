package dev.unicorn.engine.transformer;

import java.util.List;

import dev.unicorn.api.backend.Activation;

/**
 * Hyper-parameters of a decoder-only transformer.
 *
 * @param architecture      name reported in {@link dev.unicorn.api.model.ModelInfo}
 * @param vocabularySize    rows of the embedding and of the output head
 * @param hiddenSize        width of the residual stream
 * @param heads             query heads
 * @param kvHeads           key/value heads
 * @param headDim           dimension of one head
 * @param intermediateSize  width of the MLP
 * @param contextLength     longest context ({@code max_position_embeddings})
 * @param normEps           RMSNorm epsilon
 * @param normWeightOffset  added to every RMSNorm weight (1 for Gemma's {@code (1 + w)}, 0 otherwise)
 * @param activation        the gated MLP's activation
 * @param embeddingScale    factor applied to embeddings (Gemma: √hidden), 1 for none
 * @param attentionScale    factor applied to q·k (usually {@code 1/√headDim})
 * @param attentionSoftCap  soft-capping of attention scores, 0 for none
 * @param finalSoftCap      soft-capping of the logits, 0 for none
 * @param layers            one entry per layer
 */
public record DecoderSpec(String architecture, int vocabularySize, int hiddenSize, int heads, int kvHeads,
        int headDim, int intermediateSize, int contextLength, float normEps, float normWeightOffset,
        Activation activation, float embeddingScale, float attentionScale, float attentionSoftCap,
        float finalSoftCap, List<LayerSpec> layers) {

    public DecoderSpec {
        layers = List.copyOf(layers);
    }

    public int layerCount() {
        return layers.size();
    }
}
