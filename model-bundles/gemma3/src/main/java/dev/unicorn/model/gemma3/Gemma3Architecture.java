package dev.unicorn.model.gemma3;

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
import dev.unicorn.api.weights.DType;
import dev.unicorn.api.weights.WeightsSource;
import dev.unicorn.engine.transformer.DecoderModel;
import dev.unicorn.engine.transformer.DecoderSpec;
import dev.unicorn.engine.transformer.DecoderWeights;
import dev.unicorn.engine.transformer.LayerSpec;
import dev.unicorn.engine.transformer.LayerWeights;
import dev.unicorn.engine.transformer.RopeFrequencies;
import dev.unicorn.engine.transformer.WeightBinder;

/**
 * Gemma 3 text ({@code Gemma3ForCausalLM}, and the language model of {@code Gemma3ForConditionalGeneration}):
 * embeddings × √hidden, RMSNorm with {@code (1 + w)}, norms before and after attention and MLP, q/k norms, GeGLU
 * (tanh GELU), {@code query_pre_attn_scalar^-0.5} attention scale, sliding layers with their own RoPE base, final
 * logit soft-capping. Everything else is the engine's shared decoder.
 */
@Component
public final class Gemma3Architecture implements ModelArchitecture {

    @Override
    public Set<String> architectureNames() {
        return Set.of(Gemma3Config.CAUSAL_LM, Gemma3Config.CONDITIONAL_GENERATION, Gemma3Config.GGUF);
    }

    @Override
    public LoadedModel load(ModelConfig config, WeightsSource weights, ComputeBackend backend) {
        Gemma3Config c = Gemma3Config.from(config, weights);
        RopeFrequencies global = RopeFrequencies.linear(c.headDim(), c.global().theta(), c.global().factor());
        RopeFrequencies local = RopeFrequencies.linear(c.headDim(), c.local().theta(), c.local().factor());
        List<LayerSpec> layerSpecs = c.windows().stream().map(w -> new LayerSpec(w, w > 0 ? local : global)).toList();
        Names n = c.gguf() ? Names.GGUF : Names.huggingFace(c.multimodal() ? languageModelPrefix(weights) : "model.");
        DType embeddingType = weights.find(n.embedding).map(t -> t.type()).orElse(DType.F32);
        // GGUF norms already hold (1 + w) (llama.cpp's converter adds the one), and llama.cpp scales in f32.
        DecoderSpec spec = new DecoderSpec(c.multimodal() ? Gemma3Config.CONDITIONAL_GENERATION : Gemma3Config.CAUSAL_LM,
                c.vocabularySize(), c.hiddenSize(), c.heads(), c.kvHeads(), c.headDim(), c.intermediateSize(),
                c.contextLength(), c.normEps(), c.gguf() ? 0f : 1f, Activation.GELU_TANH,
                c.gguf() ? (float) Math.sqrt(c.hiddenSize()) : embeddingScale(c.hiddenSize(), embeddingType),
                (float) Math.pow(c.queryPreAttnScalar(), -0.5), 0f, c.finalSoftCap(), layerSpecs);
        WeightBinder b = new WeightBinder(weights, backend);
        try {
            long hidden = c.hiddenSize();
            long qWidth = (long) c.heads() * c.headDim();
            long kvWidth = (long) c.kvHeads() * c.headDim();
            long inter = c.intermediateSize();
            Tensor embedding = b.require(n.embedding, c.vocabularySize(), hidden);
            List<LayerWeights> layers = new ArrayList<>();
            for (int i = 0; i < c.layers(); i++) {
                String p = n.layerPrefix.formatted(i);
                layers.add(new LayerWeights(
                        b.require(p + n.parts[0], hidden),
                        b.require(p + n.parts[1], qWidth, hidden),
                        b.require(p + n.parts[2], kvWidth, hidden),
                        b.require(p + n.parts[3], kvWidth, hidden),
                        b.require(p + n.parts[4], hidden, qWidth),
                        null, null, null, null,
                        b.require(p + n.parts[5], c.headDim()),
                        b.require(p + n.parts[6], c.headDim()),
                        b.require(p + n.parts[7], hidden),
                        b.require(p + n.parts[8], hidden),
                        b.require(p + n.parts[9], inter, hidden),
                        b.require(p + n.parts[10], inter, hidden),
                        b.require(p + n.parts[11], hidden, inter),
                        b.require(p + n.parts[12], hidden)));
            }
            Tensor norm = b.require(n.finalNorm, hidden);
            Tensor head = c.tiedEmbeddings() ? embedding : b.require(n.outputHead, c.vocabularySize(), hidden);
            return new DecoderModel(spec, new DecoderWeights(embedding, layers, norm, head), backend, weights, b);
        } catch (RuntimeException e) {
            b.close();
            throw e;
        }
    }

    /**
     * Where each tensor is stored: Hugging Face names (under a prefix) or llama.cpp's GGUF names. Layer parts in
     * order: input norm, q, k, v, o, q norm, k norm, post-attention norm, pre-MLP norm, gate, up, down, post-MLP norm.
     */
    private record Names(String embedding, String finalNorm, String outputHead, String layerPrefix, String[] parts) {
        static final Names GGUF = new Names("token_embd.weight", "output_norm.weight", "output.weight", "blk.%d.",
                new String[] {"attn_norm.weight", "attn_q.weight", "attn_k.weight", "attn_v.weight",
                    "attn_output.weight", "attn_q_norm.weight", "attn_k_norm.weight", "post_attention_norm.weight",
                    "ffn_norm.weight", "ffn_gate.weight", "ffn_up.weight", "ffn_down.weight", "post_ffw_norm.weight"});

        static Names huggingFace(String base) {
            String head = base.equals("language_model.model.") ? "language_model.lm_head.weight" : "lm_head.weight";
            return new Names(base + "embed_tokens.weight", base + "norm.weight", head, base + "layers.%d.",
                    new String[] {"input_layernorm.weight", "self_attn.q_proj.weight", "self_attn.k_proj.weight",
                        "self_attn.v_proj.weight", "self_attn.o_proj.weight", "self_attn.q_norm.weight",
                        "self_attn.k_norm.weight", "post_attention_layernorm.weight",
                        "pre_feedforward_layernorm.weight", "mlp.gate_proj.weight", "mlp.up_proj.weight",
                        "mlp.down_proj.weight", "post_feedforward_layernorm.weight"});
        }
    }

    /**
     * Where the language model's tensors sit in a multimodal checkpoint: {@code language_model.model.*} as
     * transformers 5.17 saves them (the original checkpoint names), or its in-memory {@code model.language_model.*}.
     */
    private static String languageModelPrefix(WeightsSource weights) {
        if (weights.find("model.language_model.embed_tokens.weight").isPresent()) {
            return "model.language_model.";
        }
        return "language_model.model."; // also when absent: the missing-tensor error names what was expected
    }

    /**
     * √hidden as transformers applies it: a float32 scalar cast to the embedding's dtype ({@code
     * Gemma3TextScaledWordEmbedding}), so a bf16 checkpoint scales by √hidden rounded to bf16.
     */
    static float embeddingScale(int hidden, DType embeddingType) {
        float scale = (float) Math.sqrt(hidden);
        return switch (embeddingType) {
            case BF16 -> roundToBf16(scale);
            case F16 -> Float.float16ToFloat(Float.floatToFloat16(scale));
            default -> scale;
        };
    }

    static float roundToBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        int rounded = bits + 0x7FFF + ((bits >>> 16) & 1); // round to nearest, ties to even
        return Float.intBitsToFloat(rounded & 0xFFFF0000);
    }
}
