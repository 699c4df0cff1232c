package dev.unicorn.model.qwen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.unicorn.api.model.InferenceSession;
import dev.unicorn.api.model.Model;
import dev.unicorn.api.model.ModelException;
import dev.unicorn.backend.cpu.CpuBackend;
import dev.unicorn.engine.loader.DefaultModelLoader;
import dev.unicorn.testing.BatchingChecks;
import dev.unicorn.testing.ReferenceFixtures;

/** One batched forward step over several sequences gives each the logits it gets alone, and transformers' logits. */
class BatchedDecodeTest {
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

    /** qwen2-sliding: layer 1 has a window of 5, so sessions at positions 1..23 pass it. */
    @ParameterizedTest
    @ValueSource(strings = {"qwen2-tiny", "qwen2-sliding", "qwen3-tiny"})
    void sessionsAtDifferentPositionsDecodeTogetherAsAlone(String fixture) throws Exception {
        try (ReferenceFixtures.Reference ref = Fixtures.FIXTURES.reference(fixture);
                Model model = loader.load(Fixtures.FIXTURES.fixture(fixture), null)) {
            int shared = BatchingChecks.assertBatchedDecodeMatches(model, ref, new int[] {1, 4, 9, 15}, fixture);
            assertTrue(shared >= 8, "at least 8 steps decoded several sessions, got " + shared);
        }
    }

    @Test
    void badBatchesAreRefusedWithTheReason() throws Exception {
        try (Model model = loader.load(Fixtures.FIXTURES.fixture("qwen2-tiny"), null);
                Model other = loader.load(Fixtures.FIXTURES.fixture("qwen2-tiny"), null);
                InferenceSession a = model.network().newSession(8);
                InferenceSession b = model.network().newSession(2);
                InferenceSession foreign = other.network().newSession(8)) {
            int vocab = model.network().info().vocabularySize();
            float[][] two = new float[2][vocab];
            ModelException same = assertThrows(ModelException.class,
                    () -> model.network().decode(List.of(a, a), new int[] {3, 4}, two));
            assertTrue(same.getMessage().contains("sessions 0 and 1 of the batch are the same session"), same.getMessage());
            ModelException notOurs = assertThrows(ModelException.class,
                    () -> model.network().decode(List.of(a, foreign), new int[] {3, 4}, two));
            assertTrue(notOurs.getMessage().contains("session 1 of the batch does not come from this"),
                    notOurs.getMessage());
            ModelException outside = assertThrows(ModelException.class,
                    () -> model.network().decode(List.of(a, b), new int[] {3, vocab}, two));
            assertTrue(outside.getMessage().contains("token id " + vocab + " of session 1 is outside the vocabulary"),
                    outside.getMessage());
            assertEquals(0, a.position(), "a refused batch changes no session");
            b.append(new int[] {5, 6}, 2, new float[vocab], false);
            ModelException full = assertThrows(ModelException.class,
                    () -> model.network().decode(List.of(a, b), new int[] {3, 4}, two));
            assertTrue(full.getMessage().contains("context full: session 1 of the batch holds 2 tokens"),
                    full.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> model.network().decode(List.of(a, b), new int[] {3}, two));
        }
    }
}
