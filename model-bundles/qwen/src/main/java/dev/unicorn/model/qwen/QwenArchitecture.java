package dev.unicorn.model.qwen;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.osgi.service.component.annotations.Component;

import dev.unicorn.api.backend.Activation;
import dev.unicorn.api.backend.ComputeBackend;
import dev.unicorn.api.backend.Tensor;
import dev.unicorn.api.model.LoadedModel;
import dev.unicorn.api.model.ModelArchitecture;
import dev.unicorn.api.model.ModelConfig;
import dev.unicorn.api.weights.WeightsSource;
import dev.unicorn.engine.transformer.DecoderModel;
import dev.unicorn.engine.transformer.DecoderSpec;
import dev.unicorn.engine.transformer.DecoderWeights;
import dev.unicorn.engine.transformer.LayerSpec;
import dev.unicorn.engine.transformer.LayerWeights;
import dev.unicorn.engine.transformer.RopeFrequencies;
import dev.unicorn.engine.transformer.WeightBinder;

/**
 * Qwen2 / Qwen2.5 ({@code Qwen2ForCausalLM}: QKV bias) and Qwen3 ({@code Qwen3ForCausalLM}: per-head q/k RMSNorm,
 * explicit head_dim, optional attention bias), from Hugging Face folders or GGUF files ({@code qwen2}, {@code qwen3}).
 * Everything else is the engine's shared decoder.
 */
@Component
public final class QwenArchitecture implements ModelArchitecture {

    @Override
    public Set<String> architectureNames() {
        return Set.of(QwenConfig.QWEN2, QwenConfig.QWEN3, QwenConfig.GGUF_QWEN2, QwenConfig.GGUF_QWEN3);
    }

    @Override
    public LoadedModel load(ModelConfig config, WeightsSource weights, ComputeBackend backend) {
        QwenConfig c = QwenConfig.from(config, weights);
        RopeFrequencies rope = RopeFrequencies.linear(c.headDim(), c.ropeTheta(), c.ropeLinearFactor());
        List<LayerSpec> layerSpecs = c.windows().stream().map(w -> new LayerSpec(w, rope)).toList();
        DecoderSpec spec = new DecoderSpec(c.qwen3() ? QwenConfig.QWEN3 : QwenConfig.QWEN2, c.vocabularySize(),
                c.hiddenSize(), c.heads(), c.kvHeads(), c.headDim(), c.intermediateSize(), c.contextLength(),
                c.normEps(), 0f, Activation.SILU, 1f, (float) (1.0 / Math.sqrt(c.headDim())), 0f, 0f, layerSpecs);
        WeightBinder b = new WeightBinder(weights, backend);
        QwenTensorNames n = c.names();
        try {
            long hidden = c.hiddenSize();
            long qWidth = (long) c.heads() * c.headDim();
            long kvWidth = (long) c.kvHeads() * c.headDim();
            long inter = c.intermediateSize();
            Tensor embedding = b.require(n.embedding, c.vocabularySize(), hidden);
            List<LayerWeights> layers = new ArrayList<>();
            for (int i = 0; i < c.layers(); i++) {
                int l = i;
                boolean bias = c.attentionBias();
                java.util.function.Function<String, String> at = part -> n.layer(l, part);
                layers.add(new LayerWeights(
                        b.require(at.apply(n.attentionNorm), hidden),
                        b.require(at.apply(n.q + "weight"), qWidth, hidden),
                        b.require(at.apply(n.k + "weight"), kvWidth, hidden),
                        b.require(at.apply(n.v + "weight"), kvWidth, hidden),
                        b.require(at.apply(n.o + "weight"), hidden, qWidth),
                        bias ? b.require(at.apply(n.q + "bias"), qWidth) : null,
                        bias ? b.require(at.apply(n.k + "bias"), kvWidth) : null,
                        bias ? b.require(at.apply(n.v + "bias"), kvWidth) : null,
                        c.qwen3() && bias ? b.require(at.apply(n.o + "bias"), hidden) : null,
                        c.qwen3() ? b.require(at.apply(n.qNorm), c.headDim()) : null,
                        c.qwen3() ? b.require(at.apply(n.kNorm), c.headDim()) : null,
                        null,
                        b.require(at.apply(n.mlpNorm), hidden),
                        b.require(at.apply(n.gate), inter, hidden),
                        b.require(at.apply(n.up), inter, hidden),
                        b.require(at.apply(n.down), hidden, inter),
                        null));
            }
            Tensor norm = b.require(n.finalNorm, hidden);
            Tensor head = c.tiedEmbeddings() ? embedding : b.require(n.outputHead, c.vocabularySize(), hidden);
            return new DecoderModel(spec, new DecoderWeights(embedding, layers, norm, head), backend, weights, b);
        } catch (RuntimeException e) {
            b.close();
            throw e;
        }
    }
}
