package dev.unicorn.model.qwen;

import static dev.unicorn.testing.BatchingChecks.await;
import static dev.unicorn.testing.BatchingChecks.greedyAlone;
import static dev.unicorn.testing.BatchingChecks.greedyTogether;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.unicorn.api.generation.FinishReason;
import dev.unicorn.api.generation.Generation;
import dev.unicorn.api.generation.GenerationRequest;
import dev.unicorn.api.generation.GenerationResult;
import dev.unicorn.api.generation.GenerationStatistics;
import dev.unicorn.api.generation.SamplingParameters;
import dev.unicorn.api.model.Model;
import dev.unicorn.api.model.ModelException;
import dev.unicorn.backend.cpu.CpuBackend;
import dev.unicorn.engine.generation.DefaultGenerationService;
import dev.unicorn.engine.loader.DefaultModelLoader;
import dev.unicorn.testing.GatedModel;
import dev.unicorn.testing.ReferenceFixtures;

/**
 * The generation service's continuous batching on the qwen2-tiny fixture. Where requests must queue in a known
 * order, a {@link GatedModel} holds the scheduler while they are submitted.
 */
class ContinuousBatchingTest {
    private static CpuBackend backend;
    private static DefaultModelLoader loader;
    private static ReferenceFixtures.Reference ref;
    private static Model model;

    @BeforeAll
    static void setUp() {
        backend = new CpuBackend(2);
        loader = Fixtures.FIXTURES.loader(backend);
        ref = Fixtures.FIXTURES.reference("qwen2-tiny");
        model = loader.load(Fixtures.FIXTURES.fixture("qwen2-tiny"), null);
    }

    @AfterAll
    static void tearDown() {
        model.close();
        ref.close();
        backend.close();
    }

    private static List<int[]> prompts() {
        int[] ids = ref.ids("input_ids");
        return List.of(ids, ref.ids("prompt_ids"), Arrays.copyOf(ids, 7), Arrays.copyOf(ids, 13));
    }

    private static GenerationRequest request(int[] prompt, int maxTokens) {
        return new GenerationRequest(prompt, maxTokens, SamplingParameters.GREEDY, List.of(), true);
    }

    private static GenerationResult get(Generation g) throws Exception {
        return g.result().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    private static Throwable failure(Generation g) {
        ExecutionException e = assertThrows(ExecutionException.class, () -> get(g));
        return e.getCause();
    }

    private static List<GenerationResult> alone(DefaultGenerationService service, int maxTokens) throws Exception {
        List<GenerationResult> alone = new ArrayList<>();
        for (int[] p : prompts()) {
            alone.add(get(service.generate(model, request(p, maxTokens), (id, text) -> { })));
        }
        return alone;
    }

    @Test
    void fourConcurrentGreedyGenerationsGiveTheIdsOfTransformersAndOfEachAlone() throws Exception {
        DefaultGenerationService service = new DefaultGenerationService();
        List<int[]> prompts = prompts();
        List<GenerationResult> alone = new ArrayList<>();
        for (int[] p : prompts) {
            alone.add(greedyAlone(service, model, p, 16, false));
        }
        int[] largestBatch = new int[1];
        GenerationResult[] together = greedyTogether(service, model, prompts, 16, false, largestBatch);
        assertEquals(4, largestBatch[0], "one decode step held all four");
        for (int i = 0; i < prompts.size(); i++) {
            assertArrayEquals(alone.get(i).tokenIds(), together[i].tokenIds(), "generation " + i);
            assertEquals(alone.get(i).finishReason(), together[i].finishReason(), "generation " + i);
            assertEquals(together[i].tokenIds().length - 1, together[i].decodeSteps(), "decode steps of " + i);
        }
        assertArrayEquals(ref.ids("greedy_ids"), together[0].tokenIds(), "transformers' greedy ids");
        assertArrayEquals(ref.ids("prompt_greedy_ids"), together[1].tokenIds(), "transformers' greedy ids of the text");

        GenerationStatistics stats = service.statistics();
        int promptTokens = prompts.stream().mapToInt(p -> p.length).sum();
        int generated = Arrays.stream(together).mapToInt(r -> r.tokenIds().length).sum();
        assertEquals(new GenerationStatistics(0, 0, 8, 2L * promptTokens, 2L * generated, stats.tokensPerSecond()),
                stats);
        assertTrue(stats.tokensPerSecond() > 0, "tokens per second over the last seconds: " + stats.tokensPerSecond());
    }

    @Test
    void aFullQueueRejectsRequests() throws Exception {
        DefaultGenerationService service = new DefaultGenerationService(1, 2);
        GatedModel gated = new GatedModel(model);
        Generation first = service.generate(gated, request(prompts().get(0), 4), (id, text) -> { });
        gated.awaitHeld();
        Generation second = service.generate(gated, request(prompts().get(1), 4), (id, text) -> { });
        Generation third = service.generate(gated, request(prompts().get(2), 4), (id, text) -> { });
        GenerationStatistics held = service.statistics();
        assertEquals(1, held.running());
        assertEquals(2, held.waiting());
        RejectedExecutionException rejected = assertThrows(RejectedExecutionException.class,
                () -> service.generate(gated, request(prompts().get(3), 4), (id, text) -> { }));
        assertTrue(rejected.getMessage().contains("2 requests are already waiting"), rejected.getMessage());
        gated.open();
        for (Generation g : List.of(first, second, third)) {
            assertEquals(4, get(g).tokenIds().length);
        }
        assertEquals(0, service.statistics().waiting());
    }

    @Test
    void cancellingOneSequenceLeavesTheOthersAsAlone() throws Exception {
        DefaultGenerationService service = new DefaultGenerationService();
        List<int[]> prompts = prompts();
        List<GenerationResult> alone = alone(service, 20);
        GatedModel gated = new GatedModel(model);
        List<Generation> generations = new ArrayList<>();
        CountDownLatch third = new CountDownLatch(1);
        for (int i = 0; i < prompts.size(); i++) {
            AtomicInteger count = new AtomicInteger();
            boolean victim = i == 2;
            generations.add(service.generate(gated, request(prompts.get(i), 20), (id, text) -> {
                if (victim && count.incrementAndGet() == 3) {
                    third.countDown();
                }
            }));
            if (i == 0) {
                gated.awaitHeld();
            }
        }
        gated.open();
        await(third);
        generations.get(2).cancel();
        for (int i = 0; i < prompts.size(); i++) {
            GenerationResult r = get(generations.get(i));
            if (i == 2) {
                assertEquals(FinishReason.CANCELLED, r.finishReason());
                int n = r.tokenIds().length;
                assertTrue(n >= 3 && n < 20, "cancelled after its third token, got " + n);
                assertArrayEquals(Arrays.copyOf(alone.get(i).tokenIds(), n), r.tokenIds(), "the cancelled one's ids");
            } else {
                assertEquals(FinishReason.LENGTH, r.finishReason());
                assertArrayEquals(alone.get(i).tokenIds(), r.tokenIds(), "generation " + i);
            }
        }
    }

    @Test
    void aSlowListenerHoldsUpOnlyItsOwnGeneration() throws Exception {
        DefaultGenerationService service = new DefaultGenerationService();
        List<GenerationResult> alone = alone(service, 100);
        GatedModel gated = new GatedModel(model);
        CountDownLatch slowClient = new CountDownLatch(1);
        AtomicInteger delivered = new AtomicInteger();
        // 100 tokens: the slow one fills its backlog of 64 undelivered tokens and pauses until its listener resumes.
        Generation slow = service.generate(gated, request(prompts().get(0), 100), (id, text) -> {
            await(slowClient);
            delivered.incrementAndGet();
        });
        gated.awaitHeld();
        Generation fast = service.generate(gated, request(prompts().get(1), 100), (id, text) -> { });
        gated.open();
        assertArrayEquals(alone.get(1).tokenIds(), get(fast).tokenIds(), "the other generation finished meanwhile");
        assertFalse(slow.result().toCompletableFuture().isDone());
        assertEquals(0, delivered.get());
        slowClient.countDown();
        GenerationResult r = get(slow);
        assertArrayEquals(alone.get(0).tokenIds(), r.tokenIds(), "the slow one, after its pause");
        assertEquals(100, delivered.get());
    }

    @Test
    void releaseEndsRunningAndWaitingGenerationsWithAModelException() throws Exception {
        DefaultGenerationService service = new DefaultGenerationService(1, 4);
        GatedModel gated = new GatedModel(model);
        Generation running = service.generate(gated, request(prompts().get(0), 100), (id, text) -> { });
        gated.awaitHeld();
        Generation waiting = service.generate(gated, request(prompts().get(1), 100), (id, text) -> { });
        CompletableFuture<Void> release = CompletableFuture.runAsync(() -> service.release(gated));
        Thread.sleep(200);
        assertFalse(release.isDone(), "release waits while a generation still uses the model");
        gated.open();
        release.get(30, TimeUnit.SECONDS);
        for (Generation g : List.of(running, waiting)) {
            Throwable t = failure(g);
            assertInstanceOf(ModelException.class, t);
            assertTrue(t.getMessage().contains("qwen2-tiny was unloaded"), t.getMessage());
        }
        GenerationStatistics stats = service.statistics();
        assertEquals(0, stats.running());
        assertEquals(0, stats.waiting());
        assertEquals(2, stats.completed());
        // The service keeps serving the model afterwards (release only ended what was there).
        assertEquals(3, get(service.generate(gated, request(prompts().get(2), 3), (id, text) -> { })).tokenIds().length);
    }

    @Test
    void deactivationEndsEveryGenerationAndRefusesNewOnes() throws Exception {
        DefaultGenerationService service = new DefaultGenerationService(1, 4);
        GatedModel gated = new GatedModel(model);
        Generation running = service.generate(gated, request(prompts().get(0), 100), (id, text) -> { });
        gated.awaitHeld();
        Generation waiting = service.generate(gated, request(prompts().get(1), 100), (id, text) -> { });
        CompletableFuture<Void> stop = CompletableFuture.runAsync(service::deactivate);
        Thread.sleep(100);
        gated.open();
        stop.get(30, TimeUnit.SECONDS);
        for (Generation g : List.of(running, waiting)) {
            Throwable t = failure(g);
            assertInstanceOf(IllegalStateException.class, t);
            assertEquals("the generation service was stopped", t.getMessage());
        }
        RejectedExecutionException refused = assertThrows(RejectedExecutionException.class,
                () -> service.generate(model, request(prompts().get(2), 3), (id, text) -> { }));
        assertEquals("the generation service is stopped", refused.getMessage());
    }

    @Test
    void aListenerThatThrowsEndsOnlyItsOwnGeneration() throws Exception {
        DefaultGenerationService service = new DefaultGenerationService();
        int[] prompt = prompts().get(3);
        GenerationResult alone = get(service.generate(model, request(prompt, 12), (id, text) -> { }));
        IllegalStateException boom = new IllegalStateException("client went away");
        GatedModel gated = new GatedModel(model);
        AtomicInteger count = new AtomicInteger();
        Generation failing = service.generate(gated, request(prompts().get(0), 12), (id, text) -> {
            if (count.incrementAndGet() == 2) {
                throw boom;
            }
        });
        gated.awaitHeld();
        Generation other = service.generate(gated, request(prompt, 12), (id, text) -> { });
        gated.open();
        assertSame(boom, failure(failing));
        assertEquals(2, count.get(), "the listener hears nothing after it threw");
        assertArrayEquals(alone.tokenIds(), get(other).tokenIds());
        assertEquals(0, service.statistics().running());
    }

    @Test
    void aFailedForwardStepEndsItsGenerationsAndTheSchedulerKeepsServing() throws Exception {
        DefaultGenerationService service = new DefaultGenerationService();
        List<int[]> prompts = prompts();
        GenerationResult alone = get(service.generate(model, request(prompts.get(2), 8), (id, text) -> { }));
        GatedModel gated = new GatedModel(model);
        gated.failNextDecodeOf(2);
        Generation first = service.generate(gated, request(prompts.get(0), 8), (id, text) -> { });
        gated.awaitHeld();
        Generation second = service.generate(gated, request(prompts.get(1), 8), (id, text) -> { });
        gated.open();
        for (Generation g : List.of(first, second)) {
            Throwable t = failure(g);
            assertInstanceOf(ModelException.class, t);
            assertEquals("injected fault in the forward pass", t.getMessage());
        }
        assertEquals(2, gated.failedBatch(), "both generations were in the failed step");
        assertArrayEquals(alone.tokenIds(), get(service.generate(gated, request(prompts.get(2), 8), (id, text) -> { }))
                .tokenIds(), "the scheduler serves the model after the fault");
        assertEquals(0, service.statistics().running());
    }
}
