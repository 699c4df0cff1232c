package dev.unicorn.model.qwen;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.unicorn.api.model.ModelConfig;
import dev.unicorn.api.model.ModelException;
import dev.unicorn.api.weights.WeightsSource;
import dev.unicorn.engine.config.HfConfig;

/**
 * Hyper-parameters of Qwen2/Qwen2.5 and Qwen3, with the class defaults of transformers' {@code Qwen2Config} and
 * {@code Qwen3Config} for omitted fields.
 */
record QwenConfig(boolean qwen3, int vocabularySize, int hiddenSize, int intermediateSize, int layers, int heads,
        int kvHeads, int headDim, int contextLength, float normEps, boolean tiedEmbeddings, boolean attentionBias,
        double ropeTheta, double ropeLinearFactor, List<Integer> windows, QwenTensorNames names) {

    static final String QWEN2 = "Qwen2ForCausalLM";
    static final String QWEN3 = "Qwen3ForCausalLM";
    /** {@code general.architecture} of GGUF files. */
    static final String GGUF_QWEN2 = "qwen2";
    static final String GGUF_QWEN3 = "qwen3";

    /** The config of a Hugging Face folder ({@code config.json}) or of a GGUF file (its metadata). */
    static QwenConfig from(ModelConfig config, WeightsSource weights) {
        return config.values().containsKey("general.architecture") ? fromGguf(config, weights) : from(config);
    }

    /**
     * Hyper-parameters from GGUF metadata, under the keys llama.cpp's converter writes ({@code qwen2.block_count},
     * ...). The vocabulary is the embedding's row count; the head is tied when there is no {@code output.weight}.
     */
    static QwenConfig fromGguf(ModelConfig config, WeightsSource weights) {
        HfConfig c = new HfConfig(config);
        String arch = c.string("general.architecture", "");
        boolean qwen3 = arch.equals(GGUF_QWEN3);
        String p = arch + ".";
        int hidden = c.positiveInt(p + "embedding_length");
        int heads = c.positiveInt(p + "attention.head_count");
        int kvHeads = c.positiveInt(p + "attention.head_count_kv", heads);
        if (heads % kvHeads != 0) {
            throw c.error(p + "attention.head_count_kv", "is " + kvHeads + "; it must divide the head count " + heads);
        }
        int headDim = c.positiveInt(p + "attention.key_length", hidden / heads);
        int layers = c.positiveInt(p + "block_count");
        var embedding = weights.find(QwenTensorNames.GGUF.embedding).orElseThrow(() -> new ModelException(
                weights.location() + ": missing tensor '" + QwenTensorNames.GGUF.embedding + "'"));
        long vocab = embedding.dim(0);
        String scalingType = c.string(p + "rope.scaling.type", "none");
        double factor = switch (scalingType) {
            case "none" -> 1.0;
            case "linear" -> c.number(p + "rope.scaling.factor", 1.0);
            default -> throw c.error(p + "rope.scaling.type", "is '" + scalingType + "'; supported: none, linear");
        };
        boolean bias = !qwen3 || weights.find(QwenTensorNames.GGUF.layer(0, QwenTensorNames.GGUF.q + "bias")).isPresent();
        return new QwenConfig(qwen3, Math.toIntExact(vocab), hidden, c.positiveInt(p + "feed_forward_length"), layers,
                heads, kvHeads, headDim, c.positiveInt(p + "context_length", 32768),
                (float) c.number(p + "attention.layer_norm_rms_epsilon", 1e-6),
                weights.find(QwenTensorNames.GGUF.outputHead).isEmpty(), bias, c.number(p + "rope.freq_base", 10000.0),
                factor, java.util.Collections.nCopies(layers, 0), QwenTensorNames.GGUF);
    }

    static QwenConfig from(ModelConfig config) {
        HfConfig c = new HfConfig(config);
        boolean qwen3 = config.architectures().contains(QWEN3);
        int vocab = c.positiveInt("vocab_size", 151936);
        int hidden = c.positiveInt("hidden_size", 4096);
        int intermediate = c.positiveInt("intermediate_size", 22016);
        int layers = c.positiveInt("num_hidden_layers", 32);
        int heads = c.positiveInt("num_attention_heads", 32);
        int kvHeads = c.positiveInt("num_key_value_heads", heads);
        if (heads % kvHeads != 0) {
            throw c.error("num_key_value_heads", "is " + kvHeads + "; it must divide num_attention_heads " + heads);
        }
        int headDim;
        if (qwen3) {
            headDim = c.positiveInt("head_dim", 128);
        } else {
            if (!c.has("head_dim") && hidden % heads != 0) {
                throw c.error("num_attention_heads", "is " + heads + "; it must divide hidden_size " + hidden);
            }
            headDim = c.positiveInt("head_dim", hidden / heads);
        }
        if (headDim % 2 != 0) {
            throw c.error("head_dim", "is " + headDim + "; rotary embedding needs an even head dimension");
        }
        int context = c.positiveInt("max_position_embeddings", 32768);
        float eps = (float) c.number("rms_norm_eps", 1e-6);
        boolean tied = c.bool("tie_word_embeddings", false);
        boolean bias = qwen3 ? c.bool("attention_bias", false) : true;
        double theta = c.ropeTheta(10000.0);
        HfConfig.RopeScaling scaling = c.ropeScaling();
        double factor = switch (scaling.type()) {
            case "default" -> 1.0;
            case "linear" -> scaling.factor();
            default -> throw c.error(c.has("rope_parameters") ? "rope_parameters" : "rope_scaling",
                    "asks for rope type '" + scaling.type() + "'; supported: default, linear");
        };
        boolean useSliding = c.bool("use_sliding_window", false);
        int window = useSliding ? c.positiveInt("sliding_window", 4096) : 0;
        int maxWindowLayers = c.positiveInt("max_window_layers", 28);
        Optional<List<String>> types = c.layerTypes(layers);
        List<Integer> windows = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            boolean sliding = types.isPresent()
                    ? types.get().get(i).equals("sliding_attention")
                    : i >= maxWindowLayers;
            windows.add(sliding ? window : 0);
        }
        if (vocab <= 0) {
            throw new ModelException(config.file() + ": vocab_size must be positive");
        }
        return new QwenConfig(qwen3, vocab, hidden, intermediate, layers, heads, kvHeads, headDim, context, eps, tied,
                bias, theta, factor, List.copyOf(windows), QwenTensorNames.HUGGING_FACE);
    }
}
