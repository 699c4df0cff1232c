package dev.unicorn.model.gemma3;

import static dev.unicorn.testing.ReferenceFixtures.assertLogitsClose;
import static dev.unicorn.testing.ReferenceFixtures.logits;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.unicorn.api.generation.FinishReason;
import dev.unicorn.api.generation.GenerationRequest;
import dev.unicorn.api.generation.GenerationResult;
import dev.unicorn.api.generation.SamplingParameters;
import dev.unicorn.api.model.InferenceSession;
import dev.unicorn.api.model.Model;
import dev.unicorn.api.model.ModelException;
import dev.unicorn.backend.cpu.CpuBackend;
import dev.unicorn.engine.generation.DefaultGenerationService;
import dev.unicorn.engine.loader.DefaultModelLoader;
import dev.unicorn.testing.ReferenceFixtures;

/**
 * Parity with transformers 5.17 on the tiny random-weight Gemma 3 fixtures: float32 logits of every position and
 * greedy continuations through the KV cache, whose sliding layers keep only a ring of their window.
 */
class Gemma3ReferenceTest {
    private static CpuBackend backend;
    private static DefaultModelLoader loader;
    private static final DefaultGenerationService generation = new DefaultGenerationService();

    @TempDir
    static Path temp;

    @BeforeAll
    static void setUp() {
        backend = new CpuBackend(2);
        loader = Fixtures.FIXTURES.loader(backend);
    }

    @AfterAll
    static void tearDown() {
        backend.close();
    }

    private static final int EOS = 1;

    /** The greedy ids as transformers' generate returns them: the stop token that ended it is included (no stop strings are set). */
    private static int[] greedy(Model model, int[] prompt, int maxTokens) throws Exception {
        GenerationRequest request = new GenerationRequest(prompt, maxTokens, SamplingParameters.GREEDY, List.of(),
                false);
        GenerationResult r = generation.generate(model, request, (id, text) -> { }).result().toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
        if (r.finishReason() == FinishReason.STOP) {
            int[] ids = Arrays.copyOf(r.tokenIds(), r.tokenIds().length + 1);
            ids[ids.length - 1] = EOS;
            return ids;
        }
        return r.tokenIds();
    }

    private static JsonNode meta(String fixture) throws Exception {
        return new ObjectMapper().readTree(Fixtures.FIXTURES.fixture(fixture).resolve("reference.json").toFile());
    }

    @ParameterizedTest
    @CsvSource({"gemma3-tiny, false", "gemma3-softcap, false", "gemma3-vlm, false", "gemma3-large, false",
            "gemma3-tiny, true", "gemma3-softcap, true", "gemma3-vlm, true", "gemma3-large, true"})
    void logitsAndGreedyIdsMatchTransformers(String fixture, boolean v4Config) throws Exception {
        Path dir = v4Config ? Fixtures.FIXTURES.copy(fixture, temp.resolve("v4"), true) : Fixtures.FIXTURES.fixture(fixture);
        try (ReferenceFixtures.Reference ref = Fixtures.FIXTURES.reference(fixture); Model model = loader.load(dir, null)) {
            assertEquals(Set.of(1), model.stopTokenIds());
            double rel = assertLogitsClose(ref.floats("logits"), logits(model, ref.ids("input_ids")), 1e-4, fixture);
            System.out.printf("parity %s (%s config): max|Δ|/max|logit| = %.3g%n", fixture, v4Config ? "4.x" : "5.x",
                    rel);
            int[] expected = ref.ids("greedy_ids");
            assertTrue(expected.length >= 12, "the reference has at least 12 greedy tokens");
            assertArrayEquals(expected, greedy(model, ref.ids("input_ids"), 16), fixture + " greedy ids");
            assertArrayEquals(ref.ids("prompt_greedy_ids"), greedy(model, ref.ids("prompt_ids"), 16),
                    fixture + " greedy ids after the text prompt");
        }
    }

    @Test
    void largeActivationsStayFiniteInFloat32() throws Exception {
        JsonNode m = meta("gemma3-large");
        assertTrue(m.get("residual_peak_abs").asDouble() >= 1e4, "the fixture drives the residual stream to 1e4+");
        try (ReferenceFixtures.Reference ref = Fixtures.FIXTURES.reference("gemma3-large");
                Model model = loader.load(Fixtures.FIXTURES.fixture("gemma3-large"), null)) {
            float[] out = logits(model, ref.ids("input_ids"));
            assertTrue(Arrays.stream(ref.ids("input_ids")).count() == 24);
            assertLogitsClose(ref.floats("logits"), out, 1e-4, "gemma3-large");
            int vocab = model.network().info().vocabularySize();
            for (int p = 0; p < 24; p++) {
                float max = 0;
                for (int i = 0; i < vocab; i++) {
                    max = Math.max(max, Math.abs(out[p * vocab + i]));
                }
                assertTrue(max > 0, "position " + p + " has all-zero logits");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gemma3-tiny", "gemma3-vlm"})
    void textPromptEncodesToTheReferenceIds(String fixture) throws Exception {
        try (ReferenceFixtures.Reference ref = Fixtures.FIXTURES.reference(fixture);
                Model model = loader.load(Fixtures.FIXTURES.fixture(fixture), null)) {
            String prompt = meta(fixture).get("prompt").asText();
            assertArrayEquals(ref.ids("prompt_ids"), model.tokenizer().orElseThrow().encode(prompt, true));
        }
    }

    /** Window 5: splits before, at and after the window boundary; the session's batches are capped at 5 tokens. */
    @ParameterizedTest
    @ValueSource(ints = {1, 4, 5, 6, 13, 23})
    void incrementalAppendsGiveTheSameLogitsAsOneBatch(int split) throws Exception {
        try (ReferenceFixtures.Reference ref = Fixtures.FIXTURES.reference("gemma3-tiny");
                Model model = loader.load(Fixtures.FIXTURES.fixture("gemma3-tiny"), null)) {
            int[] ids = ref.ids("input_ids");
            int vocab = model.network().info().vocabularySize();
            float[] all = new float[ids.length * vocab];
            try (InferenceSession s = model.network().newSession(ids.length)) {
                s.append(ids, split, all, true);
                int[] rest = Arrays.copyOfRange(ids, split, ids.length);
                float[] tail = new float[rest.length * vocab];
                s.append(rest, rest.length, tail, true);
                System.arraycopy(tail, 0, all, split * vocab, tail.length);
            }
            assertLogitsClose(ref.floats("logits"), all, 1e-4, "gemma3-tiny split at " + split);
        }
    }

    @Test
    void tokenByTokenAppendsMatchTheReference() throws Exception {
        try (ReferenceFixtures.Reference ref = Fixtures.FIXTURES.reference("gemma3-tiny");
                Model model = loader.load(Fixtures.FIXTURES.fixture("gemma3-tiny"), null)) {
            int[] ids = ref.ids("input_ids");
            int vocab = model.network().info().vocabularySize();
            float[] all = new float[ids.length * vocab];
            float[] one = new float[vocab];
            try (InferenceSession s = model.network().newSession(64)) {
                for (int i = 0; i < ids.length; i++) {
                    s.append(new int[] {ids[i]}, 1, one, false);
                    System.arraycopy(one, 0, all, i * vocab, vocab);
                }
            }
            assertLogitsClose(ref.floats("logits"), all, 1e-4, "gemma3-tiny one token at a time");
        }
    }

    @Test
    void rewindWithinTheRingReplaysExactlyAndTooFarIsRefused() throws Exception {
        try (ReferenceFixtures.Reference ref = Fixtures.FIXTURES.reference("gemma3-tiny");
                Model model = loader.load(Fixtures.FIXTURES.fixture("gemma3-tiny"), null)) {
            int[] ids = ref.ids("input_ids");
            int vocab = model.network().info().vocabularySize();
            float[] expected = ref.floats("logits");
            float[] last = new float[vocab];
            try (InferenceSession s = model.network().newSession(ids.length)) {
                s.append(ids, 20, new float[20 * vocab], true);
                s.rewind(17); // the ring (9 rows) still holds positions 13..16, all that position 17 sees
                s.append(Arrays.copyOfRange(ids, 17, 18), 1, last, false);
                assertLogitsClose(Arrays.copyOfRange(expected, 17 * vocab, 18 * vocab), last, 1e-4, "after rewind");
                assertThrows(ModelException.class, () -> s.rewind(5));
                s.rewind(0);
                s.append(ids, ids.length, new float[ids.length * vocab], true);
            }
        }
    }
}
