package dev.unicorn.engine.weights;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.unicorn.api.weights.WeightTensor;
import dev.unicorn.api.weights.WeightsException;
import dev.unicorn.api.weights.WeightsSource;

/** The tensors of one or several safetensors shards, seen as one checkpoint. */
final class SafetensorsSource implements WeightsSource {
    private final Path location;
    private final List<SafetensorsFile> files;
    private final Map<String, WeightTensor> tensors;
    private final Map<String, Path> fileOf;

    SafetensorsSource(Path location, List<SafetensorsFile> files) {
        this.location = location;
        this.files = List.copyOf(files);
        Map<String, WeightTensor> all = new HashMap<>();
        Map<String, Path> where = new HashMap<>();
        for (SafetensorsFile f : files) {
            for (var e : f.tensors().entrySet()) {
                Path previous = where.putIfAbsent(e.getKey(), f.file());
                if (previous != null) {
                    close();
                    throw new WeightsException("tensor '" + e.getKey() + "' is stored twice: in " + previous + " and "
                            + f.file());
                }
                all.put(e.getKey(), e.getValue());
            }
        }
        this.tensors = Map.copyOf(all);
        this.fileOf = Map.copyOf(where);
    }

    @Override
    public Path location() {
        return location;
    }

    @Override
    public Map<String, Object> metadata() {
        Map<String, Object> all = new HashMap<>();
        files.forEach(f -> all.putAll(f.metadata()));
        return Map.copyOf(all);
    }

    @Override
    public Set<String> names() {
        return tensors.keySet();
    }

    @Override
    public Optional<WeightTensor> find(String name) {
        return Optional.ofNullable(tensors.get(name));
    }

    @Override
    public WeightTensor require(String name, long... expectedShape) {
        WeightTensor t = tensors.get(name);
        if (t == null) {
            throw new WeightsException(location + ": missing tensor '" + name + "', expected shape "
                    + Arrays.toString(expectedShape));
        }
        if (!t.hasShape(expectedShape)) {
            throw new WeightsException(fileOf.get(name) + ": tensor '" + name + "' has shape "
                    + Arrays.toString(t.shape()) + ", expected " + Arrays.toString(expectedShape) + " from the config");
        }
        return t;
    }

    @Override
    public void close() {
        for (SafetensorsFile f : files) {
            f.close();
        }
    }
}
