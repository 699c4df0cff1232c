package dev.unicorn.model.qwen;

import static dev.unicorn.testing.ReferenceFixtures.assertLogitsClose;
import static dev.unicorn.testing.ReferenceFixtures.logits;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import dev.unicorn.api.generation.GenerationRequest;
import dev.unicorn.api.generation.GenerationResult;
import dev.unicorn.api.generation.SamplingParameters;
import dev.unicorn.api.model.InferenceSession;
import dev.unicorn.api.model.Model;
import dev.unicorn.backend.cpu.CpuBackend;
import dev.unicorn.engine.generation.DefaultGenerationService;
import dev.unicorn.engine.loader.DefaultModelLoader;
import dev.unicorn.testing.ReferenceFixtures;

/**
 * Parity with transformers 5.17 on the tiny random-weight fixtures: float32 logits of every position and greedy
 * continuations through the KV cache.
 */
class QwenReferenceTest {
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

    private static int[] greedy(Model model, int[] prompt, int maxTokens) throws Exception {
        GenerationRequest request = new GenerationRequest(prompt, maxTokens, SamplingParameters.GREEDY, List.of(),
                false);
        GenerationResult r = generation.generate(model, request, (id, text) -> { }).result().toCompletableFuture()
                .get(60, TimeUnit.SECONDS);
        return r.tokenIds();
    }

    @ParameterizedTest
    @CsvSource({"qwen2-tiny, false", "qwen2-tied, false", "qwen3-tiny, false", "qwen2-sliding, false",
            "qwen2-tiny, true", "qwen2-tied, true", "qwen3-tiny, true", "qwen2-sliding, true"})
    void logitsAndGreedyIdsMatchTransformers(String fixture, boolean v4Config) throws Exception {
        Path dir = v4Config ? Fixtures.FIXTURES.copy(fixture, temp.resolve("v4"), true) : Fixtures.FIXTURES.fixture(fixture);
        try (ReferenceFixtures.Reference ref = Fixtures.FIXTURES.reference(fixture); Model model = loader.load(dir, null)) {
            assertEquals(Set.of(2), model.stopTokenIds());
            assertLogitsClose(ref.floats("logits"), logits(model, ref.ids("input_ids")), 1e-4, fixture);
            int[] expected = ref.ids("greedy_ids");
            assertTrue(expected.length >= 12, "the reference has at least 12 greedy tokens");
            assertArrayEquals(expected, greedy(model, ref.ids("input_ids"), 16), fixture + " greedy ids");
            assertArrayEquals(ref.ids("prompt_greedy_ids"), greedy(model, ref.ids("prompt_ids"), 16),
                    fixture + " greedy ids after the text prompt");
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void bf16CopyStaysWithinTwoPercent(boolean v4Config) throws Exception {
        String fixture = "qwen2-tiny-bf16";
        Path dir = v4Config ? Fixtures.FIXTURES.copy(fixture, temp.resolve("bf16v4"), true) : Fixtures.FIXTURES.fixture(fixture);
        try (ReferenceFixtures.Reference ref = Fixtures.FIXTURES.reference(fixture); Model model = loader.load(dir, null)) {
            assertLogitsClose(ref.floats("logits"), logits(model, ref.ids("input_ids")), 2e-2, fixture);
            assertArrayEquals(ref.ids("greedy_ids"), greedy(model, ref.ids("input_ids"), 16), fixture + " greedy");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"qwen2-tiny", "qwen3-tiny"})
    void textPromptEncodesToTheReferenceIds(String fixture) throws Exception {
        try (ReferenceFixtures.Reference ref = Fixtures.FIXTURES.reference(fixture);
                Model model = loader.load(Fixtures.FIXTURES.fixture(fixture), null)) {
            String prompt = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(Fixtures.FIXTURES.fixture(fixture).resolve("reference.json").toFile()).get("prompt").asText();
            assertArrayEquals(ref.ids("prompt_ids"), model.tokenizer().orElseThrow().encode(prompt, true));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 5, 23})
    void incrementalAppendsGiveTheSameLogitsAsOneBatch(int split) throws Exception {
        try (ReferenceFixtures.Reference ref = Fixtures.FIXTURES.reference("qwen2-sliding");
                Model model = loader.load(Fixtures.FIXTURES.fixture("qwen2-sliding"), null)) {
            int[] ids = ref.ids("input_ids");
            int vocab = model.network().info().vocabularySize();
            float[] all = new float[ids.length * vocab];
            try (InferenceSession s = model.network().newSession(ids.length)) {
                s.append(ids, split, all, true);
                int[] rest = java.util.Arrays.copyOfRange(ids, split, ids.length);
                float[] tail = new float[rest.length * vocab];
                s.append(rest, rest.length, tail, true);
                System.arraycopy(tail, 0, all, split * vocab, tail.length);
            }
            assertLogitsClose(ref.floats("logits"), all, 1e-4, "qwen2-sliding split at " + split);
        }
    }
}
