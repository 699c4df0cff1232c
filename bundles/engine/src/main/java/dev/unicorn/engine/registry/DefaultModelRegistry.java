package dev.unicorn.engine.registry;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;

import dev.unicorn.api.backend.ComputeBackend;
import dev.unicorn.api.generation.GenerationService;
import dev.unicorn.api.model.AvailableModel;
import dev.unicorn.api.model.InsufficientMemoryException;
import dev.unicorn.api.model.MemoryEstimate;
import dev.unicorn.api.model.ModelArchitecture;
import dev.unicorn.api.model.ModelException;
import dev.unicorn.api.model.ModelLease;
import dev.unicorn.api.model.ModelLoader;
import dev.unicorn.api.model.ModelRegistry;
import dev.unicorn.api.model.ModelStatus;
import dev.unicorn.api.model.RegisteredModel;

/**
 * Models by id: those of the models directory and those loaded from elsewhere. Loading happens outside the lock
 * (lookups never wait for a load) and at most once per id at a time; a second caller waits for the first load.
 * Before loading, the model's memory is estimated and reserved against the budget, unloading idle models least
 * recently used first; models in use (leased) are never unloaded to make room. A timer unloads models idle longer
 * than the keep-alive. When the architecture or backend bundle a loaded model runs on leaves, the model is unloaded.
 */
@Component(configurationPid = ModelsConfiguration.PID)
@Designate(ocd = ModelsConfiguration.class)
public final class DefaultModelRegistry implements ModelRegistry {
    private final ModelLoader loader;
    private final GenerationService generation;
    private final Object lock = new Object();
    /** Every model loaded at some point, by id, in the order first seen. Guarded by {@link #lock}. */
    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("unicorn-model-keep-alive").daemon(true).factory());
    private volatile Settings settings;

    private static final class Entry {
        final String id;
        final Path location;
        String backendId;
        RegisteredModel loaded;
        CompletableFuture<RegisteredModel> loading;
        /** Bytes reserved while loading or loaded. */
        long reserved;
        int leases;
        long lastUsed = System.nanoTime();

        Entry(String id, Path location, String backendId) {
            this.id = id;
            this.location = location;
            this.backendId = backendId;
        }
    }

    record Settings(Path modelsDirectory, long budgetBytes, long keepAliveNanos, int contextTokens) {
        static Settings of(ModelsConfiguration c) {
            String dir = !c.modelsDirectory().isBlank() ? c.modelsDirectory()
                    : System.getProperty("unicorn.models", System.getProperty("user.home") + "/.unicorn/models");
            long budget = c.memoryBudgetMiB() > 0 ? c.memoryBudgetMiB() << 20 : physicalMemory() / 5 * 4;
            long keepAlive = c.keepAliveSeconds() < 0 ? -1 : TimeUnit.SECONDS.toNanos(c.keepAliveSeconds());
            if (c.contextTokens() <= 0) {
                throw new IllegalArgumentException(ModelsConfiguration.PID + ": contextTokens must be positive, got "
                        + c.contextTokens());
            }
            return new Settings(Path.of(dir).toAbsolutePath().normalize(), budget, keepAlive, c.contextTokens());
        }

        private static long physicalMemory() {
            if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                    instanceof com.sun.management.OperatingSystemMXBean os) {
                return os.getTotalMemorySize();
            }
            return Runtime.getRuntime().maxMemory();
        }
    }

    @Activate
    public DefaultModelRegistry(@Reference ModelLoader loader, @Reference GenerationService generation,
            ModelsConfiguration configuration) {
        this.loader = loader;
        this.generation = generation;
        this.settings = Settings.of(configuration);
        timer.scheduleWithFixedDelay(this::unloadIdle, 1, 1, TimeUnit.SECONDS);
    }

    @Modified
    void modified(ModelsConfiguration configuration) {
        settings = Settings.of(configuration);
    }

    /** Unloads every model (Declarative Services calls it when the registry goes away). */
    @Deactivate
    public void deactivate() {
        timer.shutdownNow();
        for (RegisteredModel m : list()) {
            unload(m.id());
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addArchitecture(ModelArchitecture architecture) {
        // Models load through the loader; the registry only watches architectures leave.
    }

    void removeArchitecture(ModelArchitecture architecture) {
        Set<String> names = architecture.architectureNames();
        unloadWhere(m -> names.contains(m.model().network().info().architecture()));
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addBackend(ComputeBackend backend) {
        // Backends are chosen by the loader; the registry only watches them leave.
    }

    void removeBackend(ComputeBackend backend) {
        unloadWhere(m -> m.model().backendId().equals(backend.id()));
    }

    @Override
    public RegisteredModel load(String id, Path location, String backendId) {
        Path where = location.toAbsolutePath().normalize();
        String key = id == null ? ModelRegistry.idOf(where) : id;
        if (key.isBlank()) {
            throw new ModelException("a model id must not be blank");
        }
        Entry e;
        synchronized (lock) {
            e = entries.get(key);
            if (e != null && !e.location.equals(where)) {
                throw new ModelException("the id '" + key + "' is already used by " + e.location
                        + "; give this model another id");
            }
            if (e == null) {
                e = new Entry(key, where, backendId);
                entries.put(key, e);
            } else if (e.loaded == null && e.loading == null) {
                e.backendId = backendId;
            }
        }
        return ensureLoaded(e, false);
    }

    @Override
    public RegisteredModel load(String id) {
        return ensureLoaded(entry(id), false);
    }

    @Override
    public ModelLease acquire(String id) {
        Entry e = entry(id);
        RegisteredModel model = ensureLoaded(e, true);
        return new Lease(e, model);
    }

    private final class Lease implements ModelLease {
        private final Entry entry;
        private final RegisteredModel model;
        private boolean closed;

        Lease(Entry entry, RegisteredModel model) {
            this.entry = entry;
            this.model = model;
        }

        @Override
        public RegisteredModel model() {
            return model;
        }

        @Override
        public void close() {
            synchronized (lock) {
                if (!closed) {
                    closed = true;
                    if (entry.loaded == model) {
                        entry.leases--;
                        entry.lastUsed = System.nanoTime();
                    }
                }
            }
        }
    }

    @Override
    public Optional<RegisteredModel> get(String id) {
        synchronized (lock) {
            Entry e = entries.get(id);
            return Optional.ofNullable(e == null ? null : e.loaded);
        }
    }

    @Override
    public List<RegisteredModel> list() {
        synchronized (lock) {
            return entries.values().stream().filter(e -> e.loaded != null).map(e -> e.loaded)
                    .sorted(Comparator.comparing(RegisteredModel::loadedAt)).toList();
        }
    }

    @Override
    public List<AvailableModel> available() {
        Map<String, Path> onDisk = ModelsDirectory.scan(settings.modelsDirectory());
        List<AvailableModel> all = new ArrayList<>();
        synchronized (lock) {
            for (Entry e : entries.values()) {
                ModelStatus status = e.loaded != null ? ModelStatus.LOADED
                        : e.loading != null ? ModelStatus.LOADING : ModelStatus.AVAILABLE;
                all.add(new AvailableModel(e.id, e.location, status, 0));
            }
            onDisk.forEach((id, path) -> {
                if (!entries.containsKey(id)) {
                    all.add(new AvailableModel(id, path, ModelStatus.AVAILABLE, 0));
                }
            });
        }
        return all.stream().map(m -> new AvailableModel(m.id(), m.location(), m.status(),
                ModelsDirectory.size(m.location()))).sorted(Comparator.comparing(AvailableModel::id)).toList();
    }

    @Override
    public boolean unload(String id) {
        RegisteredModel removed;
        synchronized (lock) {
            Entry e = entries.get(id);
            if (e == null || e.loaded == null) {
                return false;
            }
            removed = detach(e);
        }
        close(removed);
        return true;
    }

    @Override
    public long memoryBudget() {
        return settings.budgetBytes();
    }

    @Override
    public long memoryInUse() {
        synchronized (lock) {
            return entries.values().stream().mapToLong(e -> e.reserved).sum();
        }
    }

    /** The entry of a known id, or of a model of the models directory. */
    private Entry entry(String id) {
        synchronized (lock) {
            Entry e = entries.get(id);
            if (e != null) {
                return e;
            }
        }
        Map<String, Path> onDisk = ModelsDirectory.scan(settings.modelsDirectory());
        Path location = onDisk.get(id);
        synchronized (lock) {
            Entry e = entries.get(id);
            if (e == null && location != null) {
                e = new Entry(id, location, null);
                entries.put(id, e);
            }
            if (e == null) {
                List<String> known = new ArrayList<>(entries.keySet());
                onDisk.keySet().stream().filter(k -> !known.contains(k)).forEach(known::add);
                throw new ModelException("unknown model '" + id + "'; available: " + known.stream().sorted().toList()
                        + " (models directory " + settings.modelsDirectory() + ")");
            }
            return e;
        }
    }

    private RegisteredModel ensureLoaded(Entry e, boolean lease) {
        while (true) {
            CompletableFuture<RegisteredModel> pending;
            boolean mine = false;
            synchronized (lock) {
                if (e.loaded != null) {
                    e.lastUsed = System.nanoTime();
                    if (lease) {
                        e.leases++;
                    }
                    return e.loaded;
                }
                if (e.loading == null) {
                    e.loading = new CompletableFuture<>();
                    mine = true;
                }
                pending = e.loading;
            }
            if (!mine) {
                try {
                    pending.join();
                } catch (CompletionException ex) {
                    throw ex.getCause() instanceof RuntimeException r ? r : ex;
                }
                continue; // loaded (or unloaded again meanwhile): look again
            }
            try {
                RegisteredModel model = loadNow(e);
                synchronized (lock) {
                    e.loaded = model;
                    e.loading = null;
                    e.lastUsed = System.nanoTime();
                    if (lease) {
                        e.leases++;
                    }
                }
                pending.complete(model);
                return model;
            } catch (RuntimeException | Error ex) {
                synchronized (lock) {
                    e.loading = null;
                    e.reserved = 0;
                }
                pending.completeExceptionally(ex);
                throw ex;
            }
        }
    }

    /** Reserves the estimated memory (unloading idle models if needed), then loads. */
    private RegisteredModel loadNow(Entry e) {
        Settings s = settings;
        MemoryEstimate estimate = loader.estimate(e.location, s.contextTokens());
        List<RegisteredModel> evicted = new ArrayList<>();
        synchronized (lock) {
            long used = entries.values().stream().filter(x -> x != e).mapToLong(x -> x.reserved).sum();
            List<Entry> idle = entries.values().stream().filter(x -> x != e && x.loaded != null && x.leases == 0)
                    .sorted(Comparator.comparingLong(x -> x.lastUsed)).toList();
            long freeable = idle.stream().mapToLong(x -> x.reserved).sum();
            if (used - freeable + estimate.totalBytes() > s.budgetBytes()) {
                throw new InsufficientMemoryException(e.id, estimate, s.budgetBytes(), used - freeable);
            }
            for (Entry x : idle) {
                if (used + estimate.totalBytes() <= s.budgetBytes()) {
                    break;
                }
                used -= x.reserved;
                evicted.add(detach(x));
            }
            e.reserved = estimate.totalBytes();
        }
        evicted.forEach(this::close);
        return new RegisteredModel(e.id, loader.load(e.location, e.backendId), Instant.now());
    }

    private void unloadIdle() {
        List<RegisteredModel> idle = new ArrayList<>();
        long keepAlive = settings.keepAliveNanos();
        if (keepAlive < 0) {
            return;
        }
        long now = System.nanoTime();
        synchronized (lock) {
            for (Entry e : entries.values()) {
                if (e.loaded != null && e.leases == 0 && now - e.lastUsed >= keepAlive) {
                    idle.add(detach(e));
                }
            }
        }
        idle.forEach(this::close);
    }

    private void unloadWhere(java.util.function.Predicate<RegisteredModel> affected) {
        List<RegisteredModel> removed = new ArrayList<>();
        synchronized (lock) {
            for (Entry e : entries.values()) {
                if (e.loaded != null && affected.test(e.loaded)) {
                    removed.add(detach(e));
                }
            }
        }
        removed.forEach(this::close);
    }

    /** Marks the entry unloaded and hands back its model for closing outside the lock. */
    private RegisteredModel detach(Entry e) {
        RegisteredModel m = e.loaded;
        e.loaded = null;
        e.leases = 0;
        e.reserved = 0;
        return m;
    }

    /** Ends the model's generations, then frees its memory. */
    private void close(RegisteredModel m) {
        try {
            generation.release(m.model());
        } finally {
            m.model().close();
        }
    }
}
