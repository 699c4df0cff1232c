package dev.unicorn.model.qwen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.unicorn.api.model.ModelConfig;
import dev.unicorn.api.model.ModelException;
import dev.unicorn.api.weights.WeightsException;
import dev.unicorn.backend.cpu.CpuBackend;
import dev.unicorn.engine.loader.DefaultModelLoader;

/** Config defaults come from transformers' own class defaults (fixtures/qwen/defaults.json); bad folders fail clearly. */
class QwenConfigTest {
    @TempDir
    Path temp;

    private static ModelConfig config(String architecture, Map<String, Object> values) {
        java.util.HashMap<String, Object> all = new java.util.HashMap<>(values);
        all.put("architectures", List.of(architecture));
        return new ModelConfig(Path.of("config.json"), all);
    }

    @Test
    void omittedFieldsTakeTransformersClassDefaults() throws Exception {
        JsonNode defaults = new ObjectMapper().readTree(Fixtures.FIXTURES.root().resolve("defaults.json").toFile());
        for (String arch : List.of("Qwen2", "Qwen3")) {
            JsonNode d = defaults.get(arch + "Config");
            QwenConfig c = QwenConfig.from(config(arch + "ForCausalLM", Map.of()));
            assertEquals(d.get("vocab_size").asInt(), c.vocabularySize(), arch);
            assertEquals(d.get("hidden_size").asInt(), c.hiddenSize(), arch);
            assertEquals(d.get("intermediate_size").asInt(), c.intermediateSize(), arch);
            assertEquals(d.get("num_hidden_layers").asInt(), c.layers(), arch);
            assertEquals(d.get("num_attention_heads").asInt(), c.heads(), arch);
            assertEquals(d.get("num_key_value_heads").asInt(), c.kvHeads(), arch);
            assertEquals(d.get("max_position_embeddings").asInt(), c.contextLength(), arch);
            assertEquals((float) d.get("rms_norm_eps").asDouble(), c.normEps(), arch);
            assertEquals(d.get("tie_word_embeddings").asBoolean(), c.tiedEmbeddings(), arch);
            // rope_parameters is null in the class defaults; transformers 5.17 then uses rope_theta 10000.
            assertEquals(10000.0, c.ropeTheta(), arch);
            assertEquals(1.0, c.ropeLinearFactor(), arch);
            // use_sliding_window defaults to false: no layer slides.
            assertEquals(false, d.get("use_sliding_window").asBoolean());
            assertTrue(c.windows().stream().allMatch(w -> w == 0), arch);
            if (arch.equals("Qwen3")) {
                assertEquals(d.get("head_dim").asInt(), c.headDim());
                assertEquals(d.get("attention_bias").asBoolean(), c.attentionBias());
            } else {
                assertEquals(c.hiddenSize() / c.heads(), c.headDim());
                assertTrue(c.attentionBias(), "Qwen2 always has q/k/v biases");
            }
        }
    }

    @Test
    void slidingWindowAppliesFromMaxWindowLayersWhenEnabled() {
        QwenConfig c = QwenConfig.from(config("Qwen2ForCausalLM", Map.of("num_hidden_layers", 4,
                "use_sliding_window", true, "max_window_layers", 2)));
        assertEquals(List.of(0, 0, 4096, 4096), c.windows());
        QwenConfig off = QwenConfig.from(config("Qwen2ForCausalLM", Map.of("num_hidden_layers", 4,
                "sliding_window", 16, "max_window_layers", 2)));
        assertEquals(List.of(0, 0, 0, 0), off.windows(), "sliding_window is ignored unless use_sliding_window");
        QwenConfig typed = QwenConfig.from(config("Qwen2ForCausalLM", Map.of("num_hidden_layers", 2,
                "use_sliding_window", true, "sliding_window", 8,
                "layer_types", List.of("sliding_attention", "full_attention"))));
        assertEquals(List.of(8, 0), typed.windows());
    }

    @Test
    void ropeThetaInBothForms() {
        assertEquals(1e6, QwenConfig.from(config("Qwen2ForCausalLM", Map.of("rope_theta", 1e6))).ropeTheta());
        assertEquals(5e5, QwenConfig.from(config("Qwen2ForCausalLM",
                Map.of("rope_parameters", Map.of("rope_type", "default", "rope_theta", 5e5)))).ropeTheta());
        assertEquals(4.0, QwenConfig.from(config("Qwen2ForCausalLM",
                Map.of("rope_scaling", Map.of("type", "linear", "factor", 4.0)))).ropeLinearFactor());
        ModelException e = assertThrows(ModelException.class, () -> QwenConfig.from(config("Qwen2ForCausalLM",
                Map.of("rope_scaling", Map.of("rope_type", "dynamic", "factor", 2.0)))));
        assertTrue(e.getMessage().contains("rope_scaling") && e.getMessage().contains("dynamic"), e.getMessage());
    }

    @Test
    void invalidFieldsAreNamed() {
        ModelException e = assertThrows(ModelException.class,
                () -> QwenConfig.from(config("Qwen2ForCausalLM", Map.of("hidden_size", "wide"))));
        assertTrue(e.getMessage().contains("'hidden_size'") && e.getMessage().contains("positive integer"),
                e.getMessage());
        e = assertThrows(ModelException.class, () -> QwenConfig.from(config("Qwen2ForCausalLM",
                Map.of("num_attention_heads", 4, "num_key_value_heads", 3))));
        assertTrue(e.getMessage().contains("num_key_value_heads"), e.getMessage());
    }

    private DefaultModelLoader loaderWithBackend(CpuBackend backend) {
        return Fixtures.FIXTURES.loader(backend);
    }

    private String loadError(Path dir) {
        try (CpuBackend backend = new CpuBackend(1)) {
            RuntimeException e = assertThrows(RuntimeException.class, () -> loaderWithBackend(backend).load(dir, null));
            assertTrue(e instanceof ModelException || e instanceof WeightsException, e.toString());
            return e.getMessage();
        }
    }

    @Test
    void badModelFoldersFailWithOneClearError() throws Exception {
        Path missing = temp.resolve("nothing");
        assertTrue(loadError(missing).contains("no such model folder"));

        Path noConfig = Files.createDirectories(temp.resolve("no-config"));
        assertTrue(loadError(noConfig).contains("config.json: missing"));

        Path malformed = Fixtures.FIXTURES.copy("qwen2-tiny", temp.resolve("malformed"), false);
        Files.writeString(malformed.resolve("config.json"), "{\"architectures\": [\"Qwen2ForCausalLM\",}");
        String m = loadError(malformed);
        assertTrue(m.contains("config.json") && m.contains("malformed JSON") && m.contains("line 1"), m);

        Path unknown = Fixtures.FIXTURES.copy("qwen2-tiny", temp.resolve("unknown"), false);
        Files.writeString(unknown.resolve("config.json"), "{\"architectures\": [\"MambaForCausalLM\"]}");
        m = loadError(unknown);
        assertTrue(m.contains("unknown architecture [MambaForCausalLM]") && m.contains("Qwen2ForCausalLM"), m);

        Path shape = Fixtures.FIXTURES.copy("qwen2-tiny", temp.resolve("shape"), false);
        String cfg = Files.readString(shape.resolve("config.json")).replace("\"intermediate_size\": 128",
                "\"intermediate_size\": 256");
        Files.writeString(shape.resolve("config.json"), cfg);
        m = loadError(shape);
        assertTrue(m.contains("mlp.gate_proj.weight") && m.contains("[128, 64]") && m.contains("[256, 64]"), m);

        Path missingTensor = Fixtures.FIXTURES.copy("qwen2-tiny", temp.resolve("untied"), false);
        cfg = Files.readString(Fixtures.FIXTURES.fixture("qwen2-tied").resolve("config.json"))
                .replace("\"tie_word_embeddings\": true", "\"tie_word_embeddings\": false");
        Files.copy(Fixtures.FIXTURES.fixture("qwen2-tied").resolve("model.safetensors"), missingTensor.resolve("model.safetensors"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(missingTensor.resolve("config.json"), cfg);
        m = loadError(missingTensor);
        assertTrue(m.contains("missing tensor 'lm_head.weight'"), m);

        Path truncated = Fixtures.FIXTURES.copy("qwen2-tiny", temp.resolve("truncated"), false);
        byte[] bytes = Files.readAllBytes(truncated.resolve("model.safetensors"));
        Files.write(truncated.resolve("model.safetensors"), java.util.Arrays.copyOf(bytes, bytes.length / 2));
        m = loadError(truncated);
        assertTrue(m.contains("model.safetensors") && m.contains("truncated"), m);
    }
}
