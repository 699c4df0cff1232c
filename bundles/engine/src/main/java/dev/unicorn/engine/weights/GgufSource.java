package dev.unicorn.engine.weights;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import dev.unicorn.api.weights.WeightTensor;
import dev.unicorn.api.weights.WeightsException;
import dev.unicorn.api.weights.WeightsSource;

/** The tensors and key/values of one GGUF file. */
final class GgufSource implements WeightsSource {
    private final GgufFile file;

    GgufSource(GgufFile file) {
        this.file = file;
    }

    @Override
    public Path location() {
        return file.file();
    }

    @Override
    public Map<String, Object> metadata() {
        return file.metadata();
    }

    @Override
    public Set<String> names() {
        return file.tensors().keySet();
    }

    @Override
    public Optional<WeightTensor> find(String name) {
        return Optional.ofNullable(file.tensors().get(name));
    }

    @Override
    public WeightTensor require(String name, long... expectedShape) {
        WeightTensor t = file.tensors().get(name);
        if (t == null) {
            throw new WeightsException(file.file() + ": missing tensor '" + name + "', expected shape "
                    + Arrays.toString(expectedShape));
        }
        if (!t.hasShape(expectedShape)) {
            throw new WeightsException(file.file() + ": tensor '" + name + "' has shape " + Arrays.toString(t.shape())
                    + " (outermost first), expected " + Arrays.toString(expectedShape) + " from the metadata");
        }
        return t;
    }

    @Override
    public void close() {
        file.close();
    }
}
