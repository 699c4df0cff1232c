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
import dev.unicorn.api.model.ModelInfo;
import dev.unicorn.api.model.ModelRegistry;
import dev.unicorn.api.model.RegisteredModel;
import dev.unicorn.api.weights.DType;

/**
 * Gogo commands to look after a running runtime: {@code unicorn:models}, {@code load}, {@code unload},
 * {@code backends}, {@code bundles}, {@code stats}. Each returns its text; a failure is an exception whose message
 * the shell prints as {@code error: ...}.
 */
@Component(service = AdminCommands.class, property = {"osgi.command.scope=unicorn", "osgi.command.function=models",
        "osgi.command.function=load", "osgi.command.function=unload", "osgi.command.function=backends",
        "osgi.command.function=bundles", "osgi.command.function=stats"})
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

    /** The registered models: id, location, architecture, backend, parameters, weight MiB, loaded at. */
    public String models() {
        List<RegisteredModel> all = registry.list();
        if (all.isEmpty()) {
            return "no models loaded (unicorn:load PATH [ID] loads one)";
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ID", "LOCATION", "ARCHITECTURE", "BACKEND", "PARAMETERS", "WEIGHT MiB", "LOADED AT"});
        for (RegisteredModel m : all) {
            ModelInfo info = m.model().network().info();
            rows.add(new String[] {m.id(), m.model().location().toString(), info.architecture(), m.model().backendId(),
                String.format(Locale.ROOT, "%,d", info.parameterCount()),
                String.format(Locale.ROOT, "%.1f", info.weightBytes() / 1048576.0), TIME.format(m.loadedAt())});
        }
        return table(rows);
    }

    /** Loads a model file or folder under its default id (the file name without {@code .gguf}). */
    public String load(String path) {
        return load(path, null);
    }

    /** Loads a model file or folder under {@code id}. */
    public String load(String path, String id) {
        long t0 = System.nanoTime();
        RegisteredModel m = registry.load(id, Path.of(path).toAbsolutePath().normalize(), null);
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
