package dev.unicorn.engine.transformer;

import java.util.List;

import dev.unicorn.api.backend.Tensor;

/**
 * The bound tensors of a decoder.
 *
 * @param embedding  token embedding {@code [vocab, hidden]}
 * @param layers     one entry per layer
 * @param finalNorm  RMSNorm after the last layer
 * @param outputHead {@code [vocab, hidden]}; the embedding itself when tied
 */
public record DecoderWeights(Tensor embedding, List<LayerWeights> layers, Tensor finalNorm, Tensor outputHead) {

    public DecoderWeights {
        layers = List.copyOf(layers);
    }
}
