package dev.unicorn.engine.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.unicorn.api.model.ModelConfig;
import dev.unicorn.api.model.ModelException;

class HfConfigTest {
    @TempDir
    Path dir;

    private HfConfig config(String json) throws IOException {
        Files.writeString(dir.resolve("config.json"), json);
        return new HfConfig(HfConfig.read(dir));
    }

    private static void assertMentions(Throwable e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), () -> "message '" + e.getMessage() + "' should mention '" + p + "'");
        }
    }

    @Test
    void readsTheTopLevelObject() throws IOException {
        HfConfig c = config("""
                {"architectures": ["Qwen2ForCausalLM"], "model_type": "qwen2", "hidden_size": 896,
                 "rms_norm_eps": 1e-6, "tie_word_embeddings": true, "sliding_window": null}""");
        ModelConfig m = c.config();
        assertEquals(dir.resolve("config.json"), m.file());
        assertEquals(List.of("Qwen2ForCausalLM"), m.architectures());
        assertEquals("qwen2", m.modelType());
        assertEquals(896, c.positiveInt("hidden_size"));
        assertEquals(1e-6, c.number("rms_norm_eps", 1e-5));
        assertTrue(c.bool("tie_word_embeddings", false));
        assertFalse(c.has("sliding_window"), "null counts as absent");
        assertEquals(4096, c.positiveInt("sliding_window", 4096));
        assertEquals("silu", c.string("hidden_act", "silu"));
    }

    @Test
    void missingConfigJsonNamesTheFile() {
        ModelException e = assertThrows(ModelException.class, () -> HfConfig.read(dir));
        assertMentions(e, dir.resolve("config.json").toString(), "missing");
    }

    @Test
    void malformedJsonNamesTheFileLineAndColumn() throws IOException {
        Files.writeString(dir.resolve("config.json"), "{\n  \"hidden_size\": 896,\n  \"vocab_size\": ,\n}");
        ModelException e = assertThrows(ModelException.class, () -> HfConfig.read(dir));
        assertMentions(e, dir.resolve("config.json").toString(), "malformed", "line 3", "column 17");
    }

    @Test
    void topLevelThatIsNotAnObject() throws IOException {
        Files.writeString(dir.resolve("config.json"), "[1, 2]");
        ModelException e = assertThrows(ModelException.class, () -> HfConfig.read(dir));
        assertMentions(e, dir.resolve("config.json").toString(), "object");
    }

    @Test
    void typeErrorsNameTheFieldAndWhatWasExpected() throws IOException {
        HfConfig c = config("""
                {"hidden_size": "896", "num_attention_heads": 2.5, "num_hidden_layers": 0, "intermediate_size": -3,
                 "rms_norm_eps": "small", "tie_word_embeddings": "yes", "hidden_act": 3, "rope_scaling": [1],
                 "vocab_size": 4294967296}""");
        String file = dir.resolve("config.json").toString();
        assertMentions(assertThrows(ModelException.class, () -> c.positiveInt("hidden_size")), file,
                "'hidden_size'", "positive integer");
        assertMentions(assertThrows(ModelException.class, () -> c.positiveInt("num_attention_heads", 1)),
                "'num_attention_heads'", "2.5");
        assertMentions(assertThrows(ModelException.class, () -> c.positiveInt("num_hidden_layers")),
                "'num_hidden_layers'");
        assertMentions(assertThrows(ModelException.class, () -> c.positiveInt("intermediate_size")),
                "'intermediate_size'");
        assertMentions(assertThrows(ModelException.class, () -> c.positiveInt("vocab_size")), "'vocab_size'");
        assertMentions(assertThrows(ModelException.class, () -> c.positiveInt("head_dim")), file, "'head_dim'",
                "missing");
        assertMentions(assertThrows(ModelException.class, () -> c.number("rms_norm_eps", 1e-6)), file,
                "'rms_norm_eps'", "number");
        assertMentions(assertThrows(ModelException.class, () -> c.bool("tie_word_embeddings", false)),
                "'tie_word_embeddings'", "true or false");
        assertMentions(assertThrows(ModelException.class, () -> c.string("hidden_act", "silu")), "'hidden_act'",
                "string");
        assertMentions(assertThrows(ModelException.class, () -> c.object("rope_scaling")), "'rope_scaling'",
                "object");
        assertMentions(assertThrows(ModelException.class, c::ropeScaling), "'rope_scaling'");
    }

    @Test
    void ropeThetaPrefersRopeParametersThenRopeThetaThenTheDefault() throws IOException {
        assertEquals(1_000_000.0, config("""
                {"rope_theta": 10000.0, "rope_parameters": {"rope_type": "default", "rope_theta": 1000000.0}}""")
                .ropeTheta(5.0));
        assertEquals(10_000.0, config("{\"rope_theta\": 10000}").ropeTheta(5.0));
        assertEquals(10_000.0, config("""
                {"rope_theta": 10000, "rope_parameters": {"rope_type": "default"}}""").ropeTheta(5.0));
        assertEquals(5.0, config("{}").ropeTheta(5.0));
        assertMentions(assertThrows(ModelException.class, () -> config("{\"rope_theta\": \"big\"}").ropeTheta(5.0)),
                "'rope_theta'");
    }

    @Test
    void ropeScalingInTransformers4Form() throws IOException {
        HfConfig c = config("""
                {"rope_theta": 500000.0, "rope_scaling": {"type": "linear", "factor": 8}}""");
        assertEquals(new HfConfig.RopeScaling("linear", 8.0), c.ropeScaling());
        assertEquals(500_000.0, c.ropeTheta(10_000.0));
        assertEquals(new HfConfig.RopeScaling("linear", 8.0), config("""
                {"rope_scaling": {"rope_type": "linear", "factor": 8.0}}""").ropeScaling());
    }

    @Test
    void ropeScalingInTransformers5Form() throws IOException {
        HfConfig c = config("""
                {"rope_parameters": {"rope_type": "linear", "factor": 8, "rope_theta": 1000000.0}}""");
        assertEquals(new HfConfig.RopeScaling("linear", 8.0), c.ropeScaling());
        assertEquals(1_000_000.0, c.ropeTheta(10_000.0));
    }

    @Test
    void noRopeScalingIsDefaultWithFactorOne() throws IOException {
        assertEquals(new HfConfig.RopeScaling("default", 1.0), config("{}").ropeScaling());
        assertEquals(new HfConfig.RopeScaling("default", 1.0),
                config("{\"rope_scaling\": null, \"rope_theta\": 10000}").ropeScaling());
        assertEquals(new HfConfig.RopeScaling("default", 1.0),
                config("{\"rope_parameters\": {\"rope_type\": \"default\", \"rope_theta\": 10000}}").ropeScaling());
    }

    @Test
    void layerTypesOnePerLayer() throws IOException {
        HfConfig c = config("""
                {"layer_types": ["sliding_attention", "sliding_attention", "full_attention"]}""");
        assertEquals(List.of("sliding_attention", "sliding_attention", "full_attention"), c.layerTypes(3).orElseThrow());
        assertTrue(config("{}").layerTypes(3).isEmpty());
    }

    @Test
    void layerTypesOfTheWrongLengthOrWithUnknownEntries() throws IOException {
        HfConfig wrongLength = config("{\"layer_types\": [\"full_attention\", \"full_attention\"]}");
        assertMentions(assertThrows(ModelException.class, () -> wrongLength.layerTypes(3)),
                dir.resolve("config.json").toString(), "'layer_types'", "3 entries");
        HfConfig unknown = config("{\"layer_types\": [\"full_attention\", \"chunked\"]}");
        assertMentions(assertThrows(ModelException.class, () -> unknown.layerTypes(2)), "'layer_types'", "chunked");
        HfConfig notList = config("{\"layer_types\": \"full_attention\"}");
        assertMentions(assertThrows(ModelException.class, () -> notList.layerTypes(1)), "'layer_types'");
    }

    @Test
    void directConstructionFromValues() {
        HfConfig c = new HfConfig(new ModelConfig(dir.resolve("config.json"), Map.of("num_hidden_layers", 24)));
        assertEquals(24, c.positiveInt("num_hidden_layers"));
    }
}
