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
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.unicorn.api.generation.FinishReason;
import dev.unicorn.api.generation.Generation;
import dev.unicorn.api.generation.GenerationListener;
import dev.unicorn.api.generation.GenerationRequest;
import dev.unicorn.api.generation.GenerationResult;
import dev.unicorn.api.generation.GenerationStatistics;
import dev.unicorn.api.generation.SamplingParameters;
import dev.unicorn.api.model.InferenceSession;
import dev.unicorn.api.model.LoadedModel;
import dev.unicorn.api.model.Model;
import dev.unicorn.api.model.ModelException;
import dev.unicorn.api.model.ModelInfo;
import dev.unicorn.backend.cpu.CpuBackend;
import dev.unicorn.engine.generation.DefaultGenerationService;
import dev.unicorn.engine.loader.DefaultModelLoader;
import dev.unicorn.testing.ReferenceFixtures;

/** The generation service's continuous batching on the qwen2-tiny fixture. */
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

    @Test
    void fourConcurrentGreedyGenerationsGiveTheIdsOfTransformersAndOfEachAlone() throws Exception {
        DefaultGenerationService service = new DefaultGenerationService();
        List<int[]> prompts = prompts();
        List<GenerationResult> alone = new ArrayList<>();
        for (int[] p : prompts) {
            alone.add(greedyAlone(service, model, p, 16, false));
        }
        int[] maxRunning = new int[1];
        GenerationResult[] together = greedyTogether(service, model, prompts, 16, false, maxRunning);
        assertEquals(4, maxRunning[0], "the four generations ran together");
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
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch gate = new CountDownLatch(1);
        AtomicInteger tokens = new AtomicInteger();
        Generation first = service.generate(model, request(prompts().get(0), 4), (id, text) -> {
            if (tokens.getAndIncrement() == 0) {
                entered.countDown();
                await(gate);
            }
        });
        await(entered);
        Generation second = service.generate(model, request(prompts().get(1), 4), (id, text) -> { });
        Generation third = service.generate(model, request(prompts().get(2), 4), (id, text) -> { });
        GenerationStatistics held = service.statistics();
        assertEquals(1, held.running());
        assertEquals(2, held.waiting());
        RejectedExecutionException rejected = assertThrows(RejectedExecutionException.class,
                () -> service.generate(model, request(prompts().get(3), 4), (id, text) -> { }));
        assertTrue(rejected.getMessage().contains("2 requests are already waiting"), rejected.getMessage());
        gate.countDown();
        for (Generation g : List.of(first, second, third)) {
            assertEquals(4, get(g).tokenIds().length);
        }
        assertEquals(0, service.statistics().waiting());
    }

    @Test
    void cancellingOneSequenceLeavesTheOthersAsAlone() throws Exception {
        DefaultGenerationService service = new DefaultGenerationService();
        List<int[]> prompts = prompts();
        List<GenerationResult> alone = new ArrayList<>();
        for (int[] p : prompts) {
            alone.add(get(service.generate(model, request(p, 20), (id, text) -> { })));
        }
        AtomicReference<Generation> victim = new AtomicReference<>();
        CountDownLatch submitted = new CountDownLatch(1);
        List<Generation> generations = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            int index = i;
            AtomicInteger count = new AtomicInteger();
            GenerationListener listener = (id, text) -> {
                int n = count.incrementAndGet();
                if (index == 0 && n == 1) {
                    await(submitted);
                }
                if (index == 2 && n == 3) {
                    victim.get().cancel();
                }
            };
            Generation g = service.generate(model, request(prompts.get(i), 20), listener);
            generations.add(g);
            if (i == 2) {
                victim.set(g);
            }
        }
        submitted.countDown();
        for (int i = 0; i < prompts.size(); i++) {
            GenerationResult r = get(generations.get(i));
            if (i == 2) {
                assertEquals(FinishReason.CANCELLED, r.finishReason());
                assertArrayEquals(Arrays.copyOf(alone.get(i).tokenIds(), 3), r.tokenIds(), "the cancelled one's ids");
            } else {
                assertEquals(FinishReason.LENGTH, r.finishReason());
                assertArrayEquals(alone.get(i).tokenIds(), r.tokenIds(), "generation " + i);
            }
        }
    }

    @Test
    void releaseEndsRunningAndWaitingGenerationsWithAModelException() throws Exception {
        DefaultGenerationService service = new DefaultGenerationService(1, 4);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch gate = new CountDownLatch(1);
        Generation running = service.generate(model, request(prompts().get(0), 100), (id, text) -> {
            entered.countDown();
            await(gate);
        });
        await(entered);
        Generation waiting = service.generate(model, request(prompts().get(1), 100), (id, text) -> { });
        CompletableFuture<Void> release = CompletableFuture.runAsync(() -> service.release(model));
        Thread.sleep(200);
        assertFalse(release.isDone(), "release waits while a generation still uses the model");
        gate.countDown();
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
        assertEquals(3, get(service.generate(model, request(prompts().get(2), 3), (id, text) -> { })).tokenIds().length);
    }

    @Test
    void deactivationEndsEveryGenerationAndRefusesNewOnes() throws Exception {
        DefaultGenerationService service = new DefaultGenerationService(1, 4);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch gate = new CountDownLatch(1);
        Generation running = service.generate(model, request(prompts().get(0), 100), (id, text) -> {
            entered.countDown();
            await(gate);
        });
        await(entered);
        Generation waiting = service.generate(model, request(prompts().get(1), 100), (id, text) -> { });
        CompletableFuture<Void> stop = CompletableFuture.runAsync(service::deactivate);
        Thread.sleep(100);
        gate.countDown();
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
        CountDownLatch submitted = new CountDownLatch(1);
        AtomicInteger count = new AtomicInteger();
        Generation failing = service.generate(model, request(prompts().get(0), 12), (id, text) -> {
            await(submitted);
            if (count.incrementAndGet() == 2) {
                throw boom;
            }
        });
        Generation other = service.generate(model, request(prompt, 12), (id, text) -> { });
        submitted.countDown();
        assertSame(boom, failure(failing));
        assertArrayEquals(alone.tokenIds(), get(other).tokenIds());
        assertEquals(0, service.statistics().running());
    }

    /** The fixture model, with a decode step that fails once when armed: a fault of the forward pass. */
    private static final class FaultyModel implements Model {
        final java.util.concurrent.atomic.AtomicBoolean armed = new java.util.concurrent.atomic.AtomicBoolean();
        final AtomicInteger failedBatch = new AtomicInteger();
        private final LoadedModel network = new LoadedModel() {
            @Override
            public ModelInfo info() {
                return model.network().info();
            }

            @Override
            public InferenceSession newSession(int capacity) {
                return model.network().newSession(capacity);
            }

            @Override
            public void decode(List<? extends InferenceSession> sessions, int[] tokens, float[][] logits) {
                if (armed.getAndSet(false)) {
                    failedBatch.set(sessions.size());
                    throw new ModelException("injected fault in the forward pass");
                }
                model.network().decode(sessions, tokens, logits);
            }

            @Override
            public void close() {
            }
        };

        @Override
        public java.nio.file.Path location() {
            return model.location();
        }

        @Override
        public LoadedModel network() {
            return network;
        }

        @Override
        public java.util.Optional<dev.unicorn.api.text.Tokenizer> tokenizer() {
            return model.tokenizer();
        }

        @Override
        public java.util.Optional<dev.unicorn.api.text.ChatTemplate> chatTemplate() {
            return model.chatTemplate();
        }

        @Override
        public java.util.Set<Integer> stopTokenIds() {
            return model.stopTokenIds();
        }

        @Override
        public String backendId() {
            return model.backendId();
        }

        @Override
        public void close() {
        }
    }

    @Test
    void aFailedForwardStepEndsItsGenerationsAndTheSchedulerKeepsServing() throws Exception {
        DefaultGenerationService service = new DefaultGenerationService();
        FaultyModel faulty = new FaultyModel();
        List<int[]> prompts = prompts();
        GenerationResult alone = get(service.generate(faulty, request(prompts.get(2), 8), (id, text) -> { }));
        CountDownLatch submitted = new CountDownLatch(1);
        AtomicInteger count = new AtomicInteger();
        Generation first = service.generate(faulty, request(prompts.get(0), 8), (id, text) -> {
            if (count.incrementAndGet() == 2) {
                await(submitted);
                faulty.armed.set(true);
            }
        });
        Generation second = service.generate(faulty, request(prompts.get(1), 8), (id, text) -> { });
        submitted.countDown();
        for (Generation g : List.of(first, second)) {
            Throwable t = failure(g);
            assertInstanceOf(ModelException.class, t);
            assertEquals("injected fault in the forward pass", t.getMessage());
        }
        assertEquals(2, faulty.failedBatch.get(), "both generations were in the failed step");
        assertArrayEquals(alone.tokenIds(), get(service.generate(faulty, request(prompts.get(2), 8), (id, text) -> { }))
                .tokenIds(), "the scheduler serves the model after the fault");
        assertEquals(0, service.statistics().running());
    }
}
