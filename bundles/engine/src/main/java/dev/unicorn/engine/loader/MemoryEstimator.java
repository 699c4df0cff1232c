package dev.unicorn.engine.loader;

import java.util.List;
import java.util.Map;

import dev.unicorn.api.model.MemoryEstimate;
import dev.unicorn.api.model.ModelConfig;
import dev.unicorn.api.weights.WeightTensor;
import dev.unicorn.api.weights.WeightsSource;

/**
 * Estimates a model's memory before it is loaded: tensor bytes as stored, an f32 KV cache counting every layer as
 * global, and the working tensors of a full prompt batch. Reads the hyper-parameters every decoder config names
 * (Hugging Face {@code config.json}, its {@code text_config}, or GGUF {@code <arch>.*} keys).
 */
final class MemoryEstimator {
    /** The largest prompt batch the engine runs at once (see DecoderSession). */
    private static final long BATCH = 256;

    private MemoryEstimator() {
    }

    static MemoryEstimate estimate(ModelConfig config, WeightsSource weights, int contextTokens) {
        long weightBytes = 0;
        for (String name : weights.names()) {
            WeightTensor t = weights.find(name).orElseThrow();
            weightBytes += t.data().byteSize();
        }
        Shape s = shape(config);
        int context = s.context > 0 ? (int) Math.min(contextTokens, s.context) : contextTokens;
        long kv = (long) s.layers * s.kvHeads * s.headDim * 2L * Float.BYTES * context;
        long rowFloats = 4L * s.hidden + 2L * s.heads * s.headDim + 2L * s.kvHeads * s.headDim + 2L * s.intermediate;
        long working = (BATCH * rowFloats + 2L * s.vocab) * Float.BYTES;
        return new MemoryEstimate(weightBytes, kv, working, context);
    }

    private record Shape(int layers, int heads, int kvHeads, int headDim, int hidden, int intermediate, int vocab,
            int context) {
    }

    private static Shape shape(ModelConfig config) {
        Map<String, Object> v = config.values();
        if (v.get("general.architecture") instanceof String arch) {
            String p = arch + ".";
            int hidden = integer(v, p + "embedding_length", 0);
            int heads = integer(v, p + "attention.head_count", 1);
            int kvHeads = integer(v, p + "attention.head_count_kv", heads);
            int headDim = integer(v, p + "attention.key_length", heads > 0 ? hidden / heads : 0);
            int vocab = v.get("tokenizer.ggml.tokens") instanceof List<?> l ? l.size() : integer(v, p + "vocab_size", 0);
            return new Shape(integer(v, p + "block_count", 0), heads, kvHeads, headDim, hidden,
                    integer(v, p + "feed_forward_length", 4 * hidden), vocab, integer(v, p + "context_length", 0));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> c = v.get("text_config") instanceof Map<?, ?> m ? (Map<String, Object>) m : v;
        int hidden = integer(c, "hidden_size", 0);
        int heads = integer(c, "num_attention_heads", 1);
        int kvHeads = integer(c, "num_key_value_heads", heads);
        int headDim = integer(c, "head_dim", heads > 0 ? hidden / heads : 0);
        return new Shape(integer(c, "num_hidden_layers", 0), heads, kvHeads, headDim, hidden,
                integer(c, "intermediate_size", 4 * hidden), integer(c, "vocab_size", integer(v, "vocab_size", 0)),
                integer(c, "max_position_embeddings", 0));
    }

    /** A count from the config; per-layer arrays (GGUF head counts) count their largest entry. */
    private static int integer(Map<String, Object> values, String key, int fallback) {
        Object o = values.get(key);
        if (o instanceof Number n) {
            return n.intValue();
        }
        if (o instanceof List<?> list) {
            return list.stream().filter(Number.class::isInstance).mapToInt(x -> ((Number) x).intValue()).max()
                    .orElse(fallback);
        }
        return fallback;
    }
}
