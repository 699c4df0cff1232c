package dev.unicorn.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.annotation.Annotation;
import java.lang.ref.WeakReference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.unicorn.api.generation.GenerationRequest;
import dev.unicorn.api.generation.SamplingParameters;
import dev.unicorn.api.model.AvailableModel;
import dev.unicorn.api.model.InsufficientMemoryException;
import dev.unicorn.api.model.MemoryEstimate;
import dev.unicorn.api.model.ModelException;
import dev.unicorn.api.model.ModelLease;
import dev.unicorn.api.model.ModelStatus;
import dev.unicorn.api.model.RegisteredModel;
import dev.unicorn.backend.cpu.CpuBackend;
import dev.unicorn.engine.generation.DefaultGenerationService;
import dev.unicorn.engine.loader.DefaultModelLoader;
import dev.unicorn.engine.registry.DefaultModelRegistry;
import dev.unicorn.engine.registry.ModelsConfiguration;
import dev.unicorn.model.qwen.QwenArchitecture;
import dev.unicorn.testing.ReferenceFixtures;

/**
 * The model registry with the real loader, CPU backend and Qwen architecture on the tiny transformers fixtures: a
 * models directory, loading on demand, the memory budget with least-recently-used eviction, leases, keep-alive, and
 * that unloading really frees the model (its file unmapped, its objects collectable).
 */
class ModelRegistryTest {
    static final ReferenceFixtures FIXTURES = new ReferenceFixtures("qwen", new QwenArchitecture());

    @TempDir
    Path models;

    CpuBackend backend;
    DefaultModelLoader loader;
    DefaultGenerationService generation;
    DefaultModelRegistry registry;

    @BeforeEach
    void setUp() throws Exception {
        FIXTURES.copy("qwen2-tiny", models, false);
        FIXTURES.copy("qwen3-tiny", models, false);
        Files.writeString(models.resolve("notes.txt"), "not a model");
        backend = new CpuBackend(2);
        loader = FIXTURES.loader(backend);
        generation = new DefaultGenerationService();
    }

    @AfterEach
    void tearDown() {
        if (registry != null) {
            registry.deactivate();
        }
        backend.close();
    }

    private DefaultModelRegistry registry(long budgetBytes, long keepAliveSeconds) {
        registry = new DefaultModelRegistry(loader, generation, config(models.toString(), budgetBytes, keepAliveSeconds));
        return registry;
    }

    @Test
    void listsTheModelsDirectoryAndLoadsOnDemand() {
        var r = registry(0, -1);
        List<AvailableModel> available = r.available();
        assertEquals(List.of("qwen2-tiny", "qwen3-tiny"), available.stream().map(AvailableModel::id).toList());
        assertTrue(available.stream().allMatch(m -> m.status() == ModelStatus.AVAILABLE && m.sizeBytes() > 0));
        assertTrue(r.list().isEmpty());
        try (ModelLease lease = r.acquire("qwen3-tiny")) {
            assertEquals("qwen3-tiny", lease.model().id());
            assertEquals("Qwen3ForCausalLM", lease.model().model().network().info().architecture());
            assertEquals(List.of("qwen3-tiny"), r.list().stream().map(RegisteredModel::id).toList());
            assertEquals(ModelStatus.LOADED, r.available().stream().filter(m -> m.id().equals("qwen3-tiny"))
                    .findFirst().orElseThrow().status());
            // A second acquire shares the loaded model.
            try (ModelLease again = r.acquire("qwen3-tiny")) {
                assertSame(lease.model(), again.model());
            }
        }
        ModelException unknown = assertThrows(ModelException.class, () -> r.acquire("no-such-model"));
        assertTrue(unknown.getMessage().contains("no-such-model") && unknown.getMessage().contains("qwen2-tiny"),
                unknown.getMessage());
    }

    @Test
    void aModelLoadedFromElsewhereStaysAvailableUnderItsId() throws Exception {
        var r = registry(0, -1);
        Path elsewhere = FIXTURES.copy("qwen2-tied", Files.createTempDirectory(models.getParent(), "else"), false);
        r.load("tied", elsewhere, null);
        assertTrue(r.unload("tied"));
        assertFalse(r.unload("tied"));
        assertTrue(r.get("tied").isEmpty());
        assertEquals(ModelStatus.AVAILABLE, r.available().stream().filter(m -> m.id().equals("tied")).findFirst()
                .orElseThrow().status());
        assertEquals("tied", r.load("tied").id());
        ModelException taken = assertThrows(ModelException.class, () -> r.load("tied", models.resolve("qwen2-tiny"),
                null));
        assertTrue(taken.getMessage().contains("already used"), taken.getMessage());
    }

    @Test
    void theBudgetEvictsIdleModelsAndRefusesWhatCannotFit() {
        MemoryEstimate a = loader.estimate(models.resolve("qwen2-tiny"), 8192);
        MemoryEstimate b = loader.estimate(models.resolve("qwen3-tiny"), 8192);
        assertTrue(a.weightBytes() > 0 && a.kvCacheBytes() > 0 && a.workingBytes() > 0, a.toString());
        // Each fits alone, both together do not (the budget is set in whole MiB).
        long budget = ((Math.max(a.totalBytes(), b.totalBytes()) + Math.min(a.totalBytes(), b.totalBytes()) / 2
                + (1 << 20) - 1) >> 20) << 20;
        assertTrue(a.totalBytes() + b.totalBytes() > budget, "fixtures too small for this budget test");
        var r = registry(budget, -1);
        ModelLease first = r.acquire("qwen2-tiny");
        InsufficientMemoryException refused = assertThrows(InsufficientMemoryException.class,
                () -> r.load("qwen3-tiny"));
        assertTrue(refused.getMessage().contains("qwen3-tiny") && refused.getMessage().contains("MiB"),
                refused.getMessage());
        assertEquals(budget, refused.budgetBytes());
        assertEquals(List.of("qwen2-tiny"), r.list().stream().map(RegisteredModel::id).toList());
        first.close();
        // Now qwen2-tiny is idle: loading qwen3-tiny unloads it to make room.
        r.load("qwen3-tiny");
        assertEquals(List.of("qwen3-tiny"), r.list().stream().map(RegisteredModel::id).toList());
        assertEquals(b.totalBytes(), r.memoryInUse());
    }

    @Test
    void idleModelsUnloadAfterTheKeepAliveButLeasedOnesStay() throws Exception {
        var r = registry(0, 1);
        ModelLease held = r.acquire("qwen2-tiny");
        r.acquire("qwen3-tiny").close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (r.get("qwen3-tiny").isPresent() && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertTrue(r.get("qwen3-tiny").isEmpty(), "the idle model is still loaded after 10 s");
        assertTrue(r.get("qwen2-tiny").isPresent(), "a leased model was unloaded");
        held.close();
    }

    @Test
    void unloadingEndsGenerationsUnmapsTheFileAndDropsTheModel() throws Exception {
        var r = registry(0, -1);
        RegisteredModel loaded = r.load("qwen2-tiny");
        Path weights = models.resolve("qwen2-tiny/model.safetensors").toRealPath();
        assertTrue(mapped(weights), "the weights should be memory-mapped while loaded");
        var generating = generation.generate(loaded.model(), new GenerationRequest(new int[] {1, 2, 3}, 200,
                SamplingParameters.GREEDY, List.of(), true), (id, text) -> sleep());
        WeakReference<Object> model = new WeakReference<>(loaded.model());
        loaded = null;
        assertTrue(r.unload("qwen2-tiny"));
        var result = generating.result().toCompletableFuture();
        generating = null; // a generation handle refers to its model
        CompletionException ended = assertThrows(CompletionException.class, result::join);
        assertInstanceOf(ModelException.class, ended.getCause());
        assertTrue(ended.getCause().getMessage().contains("unloaded"), ended.getCause().getMessage());
        assertFalse(mapped(weights), "the weights file is still mapped after unloading");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (model.get() != null && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(50);
        }
        assertNull(model.get(), "something still holds the unloaded model");
    }

    private static void sleep() {
        try {
            Thread.sleep(5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean mapped(Path file) throws Exception {
        return Files.readString(Path.of("/proc/self/maps")).contains(file.toString());
    }

    private static ModelsConfiguration config(String dir, long budgetBytes, long keepAliveSeconds) {
        return new ModelsConfiguration() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return ModelsConfiguration.class;
            }

            @Override
            public String modelsDirectory() {
                return dir;
            }

            @Override
            public long memoryBudgetMiB() {
                return budgetBytes == 0 ? 0 : (budgetBytes + (1 << 20) - 1) >> 20;
            }

            @Override
            public long keepAliveSeconds() {
                return keepAliveSeconds;
            }

            @Override
            public int contextTokens() {
                return 8192;
            }
        };
    }
}
