package dev.unicorn.model.gemma3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.unicorn.api.model.ModelConfig;
import dev.unicorn.api.model.ModelException;
import dev.unicorn.api.weights.DType;

/** Config defaults and both config generations, checked against transformers 5.17 (fixtures/gemma3/defaults.json). */
class Gemma3ConfigTest {

    private static ModelConfig config(String architecture, Map<String, Object> values) {
        Map<String, Object> all = new HashMap<>(values);
        all.put("architectures", List.of(architecture));
        return new ModelConfig(Path.of("config.json"), all);
    }

    private static JsonNode defaults() throws Exception {
        return new ObjectMapper().readTree(Fixtures.FIXTURES.root().resolve("defaults.json").toFile());
    }

    private static List<Integer> windowsOf(JsonNode layerTypes, int window) {
        List<Integer> w = new ArrayList<>();
        layerTypes.forEach(t -> w.add(t.asText().equals("sliding_attention") ? window : 0));
        return w;
    }

    @Test
    void omittedFieldsTakeTransformersClassDefaults() throws Exception {
        JsonNode d = defaults().get("Gemma3TextConfig");
        for (ModelConfig mc : List.of(config(Gemma3Config.CAUSAL_LM, Map.of()),
                config(Gemma3Config.CONDITIONAL_GENERATION, Map.of("text_config", Map.of())))) {
            Gemma3Config c = Gemma3Config.from(mc);
            assertEquals(d.get("vocab_size").asInt(), c.vocabularySize());
            assertEquals(d.get("hidden_size").asInt(), c.hiddenSize());
            assertEquals(d.get("intermediate_size").asInt(), c.intermediateSize());
            assertEquals(d.get("num_hidden_layers").asInt(), c.layers());
            assertEquals(d.get("num_attention_heads").asInt(), c.heads());
            assertEquals(d.get("num_key_value_heads").asInt(), c.kvHeads());
            assertEquals(d.get("head_dim").asInt(), c.headDim());
            assertEquals(d.get("max_position_embeddings").asInt(), c.contextLength());
            assertEquals((float) d.get("rms_norm_eps").asDouble(), c.normEps());
            assertEquals(d.get("tie_word_embeddings").asBoolean(), c.tiedEmbeddings());
            assertEquals(d.get("query_pre_attn_scalar").asDouble(), c.queryPreAttnScalar());
            assertTrue(d.get("final_logit_softcapping").isNull());
            assertEquals(0f, c.finalSoftCap());
            assertEquals(windowsOf(d.get("layer_types"), d.get("sliding_window").asInt()), c.windows());
            JsonNode rope = d.get("rope_parameters");
            assertEquals(new Gemma3Config.Rope(rope.get("full_attention").get("rope_theta").asDouble(), 1.0), c.global());
            assertEquals(new Gemma3Config.Rope(rope.get("sliding_attention").get("rope_theta").asDouble(), 1.0),
                    c.local());
        }
    }

    @Test
    void legacyFieldsReadAsTransformersReadsThem() throws Exception {
        JsonNode legacy = defaults().get("legacy_kwargs");
        Gemma3Config c = Gemma3Config.from(config(Gemma3Config.CAUSAL_LM, Map.of("num_hidden_layers", 7,
                "sliding_window_pattern", 3, "rope_theta", 123.0, "rope_local_base_freq", 45.0,
                "rope_scaling", Map.of("rope_type", "linear", "factor", 8.0))));
        assertEquals(windowsOf(legacy.get("layer_types"), 4096), c.windows());
        JsonNode rope = legacy.get("rope_parameters");
        assertEquals(new Gemma3Config.Rope(rope.get("full_attention").get("rope_theta").asDouble(),
                rope.get("full_attention").get("factor").asDouble()), c.global());
        assertEquals(new Gemma3Config.Rope(rope.get("sliding_attention").get("rope_theta").asDouble(), 1.0), c.local());
        // The 5.x form of the same model: nested rope_parameters and explicit layer_types win.
        Gemma3Config n = Gemma3Config.from(config(Gemma3Config.CAUSAL_LM, Map.of("num_hidden_layers", 2,
                "layer_types", List.of("full_attention", "sliding_attention"), "sliding_window", 7,
                "rope_parameters", Map.of("full_attention", Map.of("rope_type", "linear", "factor", 4.0,
                        "rope_theta", 5e5), "sliding_attention", Map.of("rope_type", "default", "rope_theta", 99.0)))));
        assertEquals(List.of(0, 7), n.windows());
        assertEquals(new Gemma3Config.Rope(5e5, 4.0), n.global());
        assertEquals(new Gemma3Config.Rope(99.0, 1.0), n.local());
    }

    @Test
    void unsupportedSettingsAreNamed() {
        ModelException e = assertThrows(ModelException.class, () -> Gemma3Config.from(config(Gemma3Config.CAUSAL_LM,
                Map.of("rope_scaling", Map.of("rope_type", "yarn", "factor", 2.0)))));
        assertTrue(e.getMessage().contains("rope_scaling") && e.getMessage().contains("yarn"), e.getMessage());
        e = assertThrows(ModelException.class, () -> Gemma3Config.from(config(Gemma3Config.CAUSAL_LM,
                Map.of("use_bidirectional_attention", true))));
        assertTrue(e.getMessage().contains("use_bidirectional_attention"), e.getMessage());
        e = assertThrows(ModelException.class, () -> Gemma3Config.from(config(Gemma3Config.CAUSAL_LM,
                Map.of("num_attention_heads", 4, "num_key_value_heads", 3))));
        assertTrue(e.getMessage().contains("num_key_value_heads"), e.getMessage());
    }

    @Test
    void embeddingScaleIsRoundedToTheWeightType() {
        // Gemma 3 4B: hidden 2560, √2560 = 50.596; transformers casts the scale to bf16 (50.5) for bf16 weights.
        assertEquals((float) Math.sqrt(2560), Gemma3Architecture.embeddingScale(2560, DType.F32));
        assertEquals(50.5f, Gemma3Architecture.embeddingScale(2560, DType.BF16));
        assertEquals(50.59375f, Gemma3Architecture.embeddingScale(2560, DType.F16));
        assertEquals(1.0f, Gemma3Architecture.roundToBf16(1.00390625f), "ties go to even");
    }
}
