package dev.unicorn.model.gemma3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.unicorn.api.generation.FinishReason;
import dev.unicorn.api.generation.GenerationResult;
import dev.unicorn.api.model.Model;
import dev.unicorn.backend.cpu.CpuBackend;
import dev.unicorn.engine.generation.DefaultGenerationService;
import dev.unicorn.engine.loader.DefaultModelLoader;
import dev.unicorn.testing.BatchingChecks;
import dev.unicorn.testing.ReferenceFixtures;

/**
 * Batched decoding on Gemma 3: the fixtures' sliding layers have a window of 5 and a ring of 9 rows, so sessions
 * decoding positions 1..23 pass the window and wrap their rings while sharing each step.
 */
class BatchedDecodeTest {
    private static final int EOS = 1;
    private static CpuBackend backend;
    private static DefaultModelLoader loader;

    @BeforeAll
    static void setUp() {
        backend = new CpuBackend(2);
        loader = Fixtures.FIXTURES.loader(backend);
    }

    @AfterAll
    static void tearDown() {
        backend.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"gemma3-tiny", "gemma3-softcap", "gemma3-vlm"})
    void sessionsAtDifferentPositionsDecodeTogetherAsAlone(String fixture) throws Exception {
        try (ReferenceFixtures.Reference ref = Fixtures.FIXTURES.reference(fixture);
                Model model = loader.load(Fixtures.FIXTURES.fixture(fixture), null)) {
            int shared = BatchingChecks.assertBatchedDecodeMatches(model, ref, new int[] {1, 3, 8, 12}, fixture);
            assertTrue(shared >= 11, "at least 11 steps decoded several sessions, got " + shared);
        }
    }

    /** As transformers' generate returns them: the stop token that ended a generation is included. */
    private static int[] withEos(GenerationResult r) {
        if (r.finishReason() != FinishReason.STOP) {
            return r.tokenIds();
        }
        int[] ids = Arrays.copyOf(r.tokenIds(), r.tokenIds().length + 1);
        ids[ids.length - 1] = EOS;
        return ids;
    }

    @Test
    void fourConcurrentGreedyGenerationsGiveTheIdsOfTransformersAndOfEachAlone() throws Exception {
        DefaultGenerationService service = new DefaultGenerationService();
        try (ReferenceFixtures.Reference ref = Fixtures.FIXTURES.reference("gemma3-tiny");
                Model model = loader.load(Fixtures.FIXTURES.fixture("gemma3-tiny"), null)) {
            int[] ids = ref.ids("input_ids");
            List<int[]> prompts = List.of(ids, ref.ids("prompt_ids"), Arrays.copyOf(ids, 3), Arrays.copyOf(ids, 11));
            int[] largestBatch = new int[1];
            GenerationResult[] together = BatchingChecks.greedyTogether(service, model, prompts, 16, false, largestBatch);
            assertEquals(4, largestBatch[0], "one decode step held all four");
            assertArrayEquals(ref.ids("greedy_ids"), withEos(together[0]), "transformers' greedy ids");
            assertArrayEquals(ref.ids("prompt_greedy_ids"), withEos(together[1]), "transformers' greedy ids of the text");
            for (int i = 0; i < prompts.size(); i++) {
                GenerationResult alone = BatchingChecks.greedyAlone(service, model, prompts.get(i), 16, false);
                assertArrayEquals(alone.tokenIds(), together[i].tokenIds(), "generation " + i);
                assertEquals(alone.finishReason(), together[i].finishReason(), "generation " + i);
            }
        }
    }
}
