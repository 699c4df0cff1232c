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
 * explicit head_dim, optional attention bias). Everything else is the engine's shared decoder.
 */
@Component
public final class QwenArchitecture implements ModelArchitecture {

    @Override
    public Set<String> architectureNames() {
        return Set.of(QwenConfig.QWEN2, QwenConfig.QWEN3);
    }

    @Override
    public LoadedModel load(ModelConfig config, WeightsSource weights, ComputeBackend backend) {
        QwenConfig c = QwenConfig.from(config);
        RopeFrequencies rope = RopeFrequencies.linear(c.headDim(), c.ropeTheta(), c.ropeLinearFactor());
        List<LayerSpec> layerSpecs = c.windows().stream().map(w -> new LayerSpec(w, rope)).toList();
        DecoderSpec spec = new DecoderSpec(c.qwen3() ? QwenConfig.QWEN3 : QwenConfig.QWEN2, c.vocabularySize(),
                c.hiddenSize(), c.heads(), c.kvHeads(), c.headDim(), c.intermediateSize(), c.contextLength(),
                c.normEps(), 0f, Activation.SILU, 1f, (float) (1.0 / Math.sqrt(c.headDim())), 0f, 0f, layerSpecs);
        WeightBinder b = new WeightBinder(weights, backend);
        try {
            long hidden = c.hiddenSize();
            long qWidth = (long) c.heads() * c.headDim();
            long kvWidth = (long) c.kvHeads() * c.headDim();
            long inter = c.intermediateSize();
            Tensor embedding = b.require("model.embed_tokens.weight", c.vocabularySize(), hidden);
            List<LayerWeights> layers = new ArrayList<>();
            for (int i = 0; i < c.layers(); i++) {
                String p = "model.layers." + i + ".";
                String a = p + "self_attn.";
                boolean bias = c.attentionBias();
                layers.add(new LayerWeights(
                        b.require(p + "input_layernorm.weight", hidden),
                        b.require(a + "q_proj.weight", qWidth, hidden),
                        b.require(a + "k_proj.weight", kvWidth, hidden),
                        b.require(a + "v_proj.weight", kvWidth, hidden),
                        b.require(a + "o_proj.weight", hidden, qWidth),
                        bias ? b.require(a + "q_proj.bias", qWidth) : null,
                        bias ? b.require(a + "k_proj.bias", kvWidth) : null,
                        bias ? b.require(a + "v_proj.bias", kvWidth) : null,
                        c.qwen3() && bias ? b.require(a + "o_proj.bias", hidden) : null,
                        c.qwen3() ? b.require(a + "q_norm.weight", c.headDim()) : null,
                        c.qwen3() ? b.require(a + "k_norm.weight", c.headDim()) : null,
                        null,
                        b.require(p + "post_attention_layernorm.weight", hidden),
                        b.require(p + "mlp.gate_proj.weight", inter, hidden),
                        b.require(p + "mlp.up_proj.weight", inter, hidden),
                        b.require(p + "mlp.down_proj.weight", hidden, inter),
                        null));
            }
            Tensor norm = b.require("model.norm.weight", hidden);
            Tensor head = c.tiedEmbeddings() ? embedding : b.require("lm_head.weight", c.vocabularySize(), hidden);
            return new DecoderModel(spec, new DecoderWeights(embedding, layers, norm, head), backend, weights, b);
        } catch (RuntimeException e) {
            b.close();
            throw e;
        }
    }
}
