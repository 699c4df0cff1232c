package dev.unicorn.model.gemma3;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.unicorn.api.model.ModelConfig;
import dev.unicorn.engine.config.HfConfig;

/**
 * Hyper-parameters of the Gemma 3 text decoder, with the class defaults of transformers' {@code Gemma3TextConfig}
 * for omitted fields. {@code Gemma3ForConditionalGeneration} keeps them under {@code text_config}.
 * <p>Both config generations are read: 5.x ({@code layer_types}, {@code rope_parameters} per layer type) and 4.x
 * ({@code sliding_window_pattern}: layer {@code i} is global iff {@code (i + 1) % pattern == 0};
 * {@code rope_theta} and {@code rope_scaling} for global layers, {@code rope_local_base_freq} for sliding ones).
 *
 * @param attnSoftCapIgnored {@code attn_logit_softcapping}: transformers 5.17 reads it but never applies it (its
 *                           Gemma3Attention passes no softcap), so neither do we
 */
record Gemma3Config(boolean multimodal, int vocabularySize, int hiddenSize, int intermediateSize, int layers,
        int heads, int kvHeads, int headDim, int contextLength, float normEps, boolean tiedEmbeddings,
        double queryPreAttnScalar, float finalSoftCap, float attnSoftCapIgnored, Rope global, Rope local,
        List<Integer> windows, boolean gguf) {

    static final String CAUSAL_LM = "Gemma3ForCausalLM";
    /** {@code general.architecture} of GGUF files. */
    static final String GGUF = "gemma3";
    /** llama.cpp's fixed Gemma 3 layout for GGUF files, which do not store it: every 6th layer is global. */
    private static final int GGUF_SLIDING_PATTERN = 6;
    private static final double GGUF_LOCAL_ROPE_BASE = 10_000.0;

    /** The config of a Hugging Face folder ({@code config.json}) or of a GGUF file (its metadata). */
    static Gemma3Config from(ModelConfig config, dev.unicorn.api.weights.WeightsSource weights) {
        return config.values().containsKey("general.architecture") ? fromGguf(config, weights) : from(config);
    }

    /**
     * Hyper-parameters from GGUF metadata ({@code gemma3.*} keys as llama.cpp's converter writes them). What GGUF
     * does not store is taken as llama.cpp takes it: sliding pattern 6, local RoPE base 10000, attention scale
     * {@code 1/√head_dim} ({@code 1/√(hidden/heads)} for the 62-layer 27B).
     */
    static Gemma3Config fromGguf(ModelConfig config, dev.unicorn.api.weights.WeightsSource weights) {
        HfConfig c = new HfConfig(config);
        String p = GGUF + ".";
        int hidden = c.positiveInt(p + "embedding_length");
        int layers = c.positiveInt(p + "block_count");
        int heads = c.positiveInt(p + "attention.head_count");
        int kvHeads = c.positiveInt(p + "attention.head_count_kv", heads);
        if (heads % kvHeads != 0) {
            throw c.error(p + "attention.head_count_kv", "is " + kvHeads + "; it must divide the head count " + heads);
        }
        int headDim = c.positiveInt(p + "attention.key_length", hidden / heads);
        var embedding = weights.find("token_embd.weight").orElseThrow(() -> new dev.unicorn.api.model.ModelException(
                weights.location() + ": missing tensor 'token_embd.weight'"));
        int window = c.positiveInt(p + "attention.sliding_window", 4096);
        List<Integer> windows = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            windows.add((i + 1) % GGUF_SLIDING_PATTERN != 0 ? window : 0);
        }
        String scaling = c.string(p + "rope.scaling.type", "none");
        double factor = switch (scaling) {
            case "none" -> 1.0;
            case "linear" -> c.number(p + "rope.scaling.factor", 1.0);
            default -> throw c.error(p + "rope.scaling.type", "is '" + scaling + "'; supported: none, linear");
        };
        double scalar = layers == 62 ? (double) hidden / heads : headDim;
        return new Gemma3Config(false, Math.toIntExact(embedding.dim(0)), hidden, c.positiveInt(p + "feed_forward_length"),
                layers, heads, kvHeads, headDim, c.positiveInt(p + "context_length", 131_072),
                (float) c.number(p + "attention.layer_norm_rms_epsilon", 1e-6),
                weights.find("output.weight").isEmpty(), scalar, (float) c.number(p + "final_logit_softcapping", 0), 0f,
                new Rope(c.number(p + "rope.freq_base", 1_000_000.0), factor), new Rope(GGUF_LOCAL_ROPE_BASE, 1.0),
                List.copyOf(windows), true);
    }
    static final String CONDITIONAL_GENERATION = "Gemma3ForConditionalGeneration";

    /** RoPE of one layer type: base and linear scaling factor (1 for none). */
    record Rope(double theta, double factor) {
    }

    static Gemma3Config from(ModelConfig config) {
        boolean multimodal = config.architectures().contains(CONDITIONAL_GENERATION);
        HfConfig top = new HfConfig(config);
        HfConfig c = multimodal
                ? new HfConfig(new ModelConfig(config.file(), top.object("text_config").orElse(Map.of())))
                : top;
        int vocab = c.positiveInt("vocab_size", 262_208);
        int hidden = c.positiveInt("hidden_size", 2304);
        int intermediate = c.positiveInt("intermediate_size", 9216);
        int layers = c.positiveInt("num_hidden_layers", 26);
        int heads = c.positiveInt("num_attention_heads", 8);
        int kvHeads = c.positiveInt("num_key_value_heads", 4);
        if (heads % kvHeads != 0) {
            throw c.error("num_key_value_heads", "is " + kvHeads + "; it must divide num_attention_heads " + heads);
        }
        int headDim = c.positiveInt("head_dim", 256);
        if (headDim % 2 != 0) {
            throw c.error("head_dim", "is " + headDim + "; rotary embedding needs an even head dimension");
        }
        String act = c.string("hidden_activation", c.string("hidden_act", "gelu_pytorch_tanh"));
        if (!act.equals("gelu_pytorch_tanh")) {
            throw c.error("hidden_activation", "is '" + act + "'; Gemma 3 supports gelu_pytorch_tanh");
        }
        if (c.bool("use_bidirectional_attention", false)) {
            throw c.error("use_bidirectional_attention", "is true (an embedding model); only causal decoders run");
        }
        if (c.bool("attention_bias", false)) {
            throw c.error("attention_bias", "is true; Gemma 3 checkpoints have no attention biases");
        }
        int context = c.positiveInt("max_position_embeddings", 131_072);
        float eps = (float) c.number("rms_norm_eps", 1e-6);
        boolean tied = c.bool("tie_word_embeddings", top.bool("tie_word_embeddings", true));
        double scalar = c.number("query_pre_attn_scalar", 256);
        if (scalar <= 0) {
            throw c.error("query_pre_attn_scalar", "is " + scalar + "; expected a positive number");
        }
        float finalCap = (float) c.number("final_logit_softcapping", 0);
        float attnCap = (float) c.number("attn_logit_softcapping", 0);
        int window = c.positiveInt("sliding_window", 4096);

        Optional<List<String>> types = c.layerTypes(layers);
        int pattern = c.positiveInt("sliding_window_pattern", c.positiveInt("_sliding_window_pattern", 6));
        List<Integer> windows = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            boolean sliding = types.isPresent() ? types.get().get(i).equals("sliding_attention") : (i + 1) % pattern != 0;
            windows.add(sliding ? window : 0);
        }

        Rope global;
        Rope local;
        Optional<Map<String, Object>> params = c.object("rope_parameters");
        if (params.isPresent() && (params.get().containsKey("full_attention")
                || params.get().containsKey("sliding_attention"))) {
            global = rope(c, params.get().get("full_attention"), "full_attention", 1_000_000.0);
            local = rope(c, params.get().get("sliding_attention"), "sliding_attention", 10_000.0);
        } else {
            // 4.x: rope_theta / rope_scaling for global layers, rope_local_base_freq (unscaled) for sliding ones.
            global = rope(c, params.orElseGet(() -> c4(c)), params.isPresent() ? "rope_parameters" : "rope_scaling",
                    c.number("rope_theta", 1_000_000.0));
            local = new Rope(c.number("rope_local_base_freq", 10_000.0), 1.0);
        }
        return new Gemma3Config(multimodal, vocab, hidden, intermediate, layers, heads, kvHeads, headDim, context, eps,
                tied, scalar, finalCap, attnCap, global, local, List.copyOf(windows), false);
    }

    private static Map<String, Object> c4(HfConfig c) {
        return c.object("rope_scaling").orElse(Map.of());
    }

    private static Rope rope(HfConfig c, Object value, String field, double defaultTheta) {
        if (value == null) {
            return new Rope(defaultTheta, 1.0);
        }
        if (!(value instanceof Map<?, ?> m)) {
            throw c.error("rope_parameters", "has " + field + " = " + value + "; expected an object");
        }
        Object type = m.get("rope_type") != null ? m.get("rope_type") : m.get("type");
        String ropeType = type == null ? "default" : type.toString();
        double theta = defaultTheta;
        if (m.get("rope_theta") != null) {
            if (!(m.get("rope_theta") instanceof Number n) || !(n.doubleValue() > 0)) {
                throw c.error("rope_parameters", "has " + field + ".rope_theta " + m.get("rope_theta")
                        + "; expected a positive number");
            }
            theta = n.doubleValue();
        }
        double factor = switch (ropeType) {
            case "default" -> 1.0;
            case "linear" -> {
                if (!(m.get("factor") instanceof Number f) || !(f.doubleValue() > 0)) {
                    throw c.error(field, "has linear factor " + m.get("factor") + "; expected a positive number");
                }
                yield f.doubleValue();
            }
            default -> throw c.error(field, "asks for rope type '" + ropeType + "'; supported: default, linear");
        };
        return new Rope(theta, factor);
    }
}
