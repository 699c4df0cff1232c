package dev.unicorn.frontend.cli;

import java.nio.file.Path;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import dev.unicorn.api.backend.ComputeBackend;
import dev.unicorn.api.generation.GenerationService;
import dev.unicorn.api.generation.GenerationStatistics;
import dev.unicorn.api.model.AvailableModel;
import dev.unicorn.api.model.ModelInfo;
import dev.unicorn.api.model.ModelRegistry;
import dev.unicorn.api.model.RegisteredModel;
import dev.unicorn.api.weights.DType;

/**
 * Gogo commands to look after a running runtime: {@code unicorn:models}, {@code load}, {@code unload},
 * {@code backends}, {@code bundles}, {@code stats}, {@code stop}, {@code start}, {@code uninstall}. Each returns its text; a failure is an exception whose message
 * the shell prints as {@code error: ...}.
 */
@Component(service = AdminCommands.class, property = {"osgi.command.scope=unicorn", "osgi.command.function=models",
        "osgi.command.function=load", "osgi.command.function=unload", "osgi.command.function=backends",
        "osgi.command.function=bundles", "osgi.command.function=stats", "osgi.command.function=stop",
        "osgi.command.function=start", "osgi.command.function=uninstall"})
public final class AdminCommands {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneId.systemDefault());

    private final ModelRegistry registry;
    private final GenerationService generation;
    private final BundleContext context;

    @Activate
    public AdminCommands(@Reference ModelRegistry registry, @Reference GenerationService generation,
            BundleContext context) {
        this.registry = registry;
        this.generation = generation;
        this.context = context;
    }

    /**
     * Every model the runtime can serve (models directory and models loaded before) with its status; loaded ones
     * with architecture, backend, parameters, weight MiB and when they were loaded.
     */
    public String models() {
        List<AvailableModel> all = registry.available();
        if (all.isEmpty()) {
            return "no models (put GGUF files or Hugging Face folders into the models directory, or unicorn:load "
                    + "PATH [ID])";
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ID", "STATUS", "ARCHITECTURE", "BACKEND", "PARAMETERS", "WEIGHT MiB", "LOADED AT",
            "LOCATION"});
        for (AvailableModel a : all) {
            RegisteredModel m = registry.get(a.id()).orElse(null);
            String status = a.status().name().toLowerCase(Locale.ROOT);
            if (m == null) {
                rows.add(new String[] {a.id(), status, "-", "-", "-", "-", "-", a.location().toString()});
                continue;
            }
            ModelInfo info = m.model().network().info();
            rows.add(new String[] {m.id(), status, info.architecture(), m.model().backendId(),
                String.format(Locale.ROOT, "%,d", info.parameterCount()),
                String.format(Locale.ROOT, "%.1f", info.weightBytes() / 1048576.0), TIME.format(m.loadedAt()),
                m.model().location().toString()});
        }
        return table(rows) + String.format(Locale.ROOT, "%nmemory: %.1f MiB of a %.1f MiB budget in use",
                registry.memoryInUse() / 1048576.0, registry.memoryBudget() / 1048576.0);
    }

    /** Loads an available model by id, or a model file or folder under its default id (its name without .gguf). */
    public String load(String idOrPath) {
        if (registry.available().stream().anyMatch(m -> m.id().equals(idOrPath))) {
            return loaded(idOrPath, () -> registry.load(idOrPath));
        }
        return load(idOrPath, null);
    }

    /** Loads a model file or folder under {@code id}. */
    public String load(String path, String id) {
        Path location = Path.of(path).toAbsolutePath().normalize();
        String key = id == null ? ModelRegistry.idOf(location) : id;
        return loaded(key, () -> registry.load(key, location, null));
    }

    private String loaded(String id, java.util.function.Supplier<RegisteredModel> load) {
        if (registry.get(id).isPresent()) {
            return id + " is already loaded";
        }
        long t0 = System.nanoTime();
        RegisteredModel m = load.get();
        ModelInfo info = m.model().network().info();
        return String.format(Locale.ROOT, "loaded %s (%s, %,d parameters, %.1f MiB on %s) in %.1f s", m.id(),
                info.architecture(), info.parameterCount(), info.weightBytes() / 1048576.0, m.model().backendId(),
                (System.nanoTime() - t0) / 1e9);
    }

    /** Unloads a registered model; its running generations end with an error. */
    public String unload(String id) {
        if (!registry.unload(id)) {
            throw new IllegalArgumentException("no model with id '" + id + "' is loaded; loaded: "
                    + (registry.list().isEmpty() ? "none"
                            : registry.list().stream().map(RegisteredModel::id).collect(Collectors.joining(", "))));
        }
        return "unloaded " + id;
    }

    /** The registered compute backends: id, rank, the weight types they multiply, and their device. */
    public String backends() throws InvalidSyntaxException {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ID", "RANK", "WEIGHT TYPES", "DEVICE"});
        for (ServiceReference<ComputeBackend> ref : context.getServiceReferences(ComputeBackend.class, null)) {
            ComputeBackend b = context.getService(ref);
            if (b == null) {
                continue; // unregistered meanwhile
            }
            try {
                String types = Arrays.stream(DType.values()).filter(b::supports).map(DType::name)
                        .collect(Collectors.joining(","));
                rows.add(new String[] {b.id(), Integer.toString(b.rank()), types, b.description()});
            } finally {
                context.ungetService(ref);
            }
        }
        return rows.size() == 1 ? "no compute backends registered" : table(rows);
    }

    /** Every installed bundle: id, symbolic name, version, state. */
    public String bundles() {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ID", "SYMBOLIC NAME", "VERSION", "STATE"});
        for (Bundle b : context.getBundles()) {
            rows.add(new String[] {Long.toString(b.getBundleId()), String.valueOf(b.getSymbolicName()),
                b.getVersion().toString(), state(b.getState())});
        }
        return table(rows);
    }

    /**
     * Stops a bundle, by symbolic name or id: its services leave (an architecture's or backend's models are unloaded,
     * their generations end with an error).
     */
    public String stop(String bundle) throws org.osgi.framework.BundleException {
        Bundle b = bundle(bundle);
        b.stop();
        return "stopped " + b.getSymbolicName() + " " + b.getVersion();
    }

    /** Starts a bundle again, by symbolic name or id. */
    public String start(String bundle) throws org.osgi.framework.BundleException {
        Bundle b = bundle(bundle);
        b.start();
        return "started " + b.getSymbolicName() + " " + b.getVersion();
    }

    /**
     * Uninstalls a bundle, by symbolic name or id: its services leave as on stop, and the bundle is gone from the
     * framework until installed again (a jar dropped into the deploy folder, for instance).
     */
    public String uninstall(String bundle) throws org.osgi.framework.BundleException {
        Bundle b = bundle(bundle);
        String name = b.getSymbolicName() + " " + b.getVersion();
        b.uninstall();
        return "uninstalled " + name;
    }

    private Bundle bundle(String nameOrId) {
        for (Bundle b : context.getBundles()) {
            if (nameOrId.equals(b.getSymbolicName()) || nameOrId.equals(Long.toString(b.getBundleId()))) {
                if (b.getBundleId() == 0 || b.getBundleId() == context.getBundle().getBundleId()) {
                    throw new IllegalArgumentException("bundle " + nameOrId + " runs this shell; it is not stopped, "
                            + "started or uninstalled from here");
                }
                return b;
            }
        }
        throw new IllegalArgumentException("no bundle '" + nameOrId + "' (unicorn:bundles lists them)");
    }

    /** The generation service's live figures. */
    public String stats() {
        GenerationStatistics s = generation.statistics();
        return String.format(Locale.ROOT, "running: %d%nwaiting: %d%ncompleted: %d%nprompt tokens: %d%n"
                + "generated tokens: %d%ntokens/s: %.1f", s.running(), s.waiting(), s.completed(), s.promptTokens(),
                s.generatedTokens(), s.tokensPerSecond());
    }

    private static String state(int state) {
        return switch (state) {
            case Bundle.UNINSTALLED -> "UNINSTALLED";
            case Bundle.INSTALLED -> "INSTALLED";
            case Bundle.RESOLVED -> "RESOLVED";
            case Bundle.STARTING -> "STARTING";
            case Bundle.STOPPING -> "STOPPING";
            case Bundle.ACTIVE -> "ACTIVE";
            default -> Integer.toString(state);
        };
    }

    /** Columns padded to their widest cell, two spaces apart. */
    static String table(List<String[]> rows) {
        int[] width = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], r[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                line.append(i == r.length - 1 ? r[i] : String.format("%-" + width[i] + "s  ", r[i]));
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        return sb.toString().stripTrailing();
    }
}
