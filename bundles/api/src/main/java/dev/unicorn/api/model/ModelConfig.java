package dev.unicorn.api.model;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * A model's {@code config.json} as parsed JSON: objects are {@code Map<String, Object>}, arrays {@code List},
 * numbers {@code Number}, plus {@code String}, {@code Boolean} and {@code null}.
 *
 * @param file   the file it was read from, for error messages
 * @param values the top-level object
 */
public record ModelConfig(Path file, Map<String, Object> values) {

    public ModelConfig {
        values = Map.copyOf(values.entrySet().stream().filter(e -> e.getValue() != null)
                .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
    }

    /** The {@code architectures} list, or the empty list. */
    @SuppressWarnings("unchecked")
    public List<String> architectures() {
        Object a = values.get("architectures");
        return a instanceof List<?> l ? (List<String>) l : List.of();
    }

    /** The {@code model_type}, or the empty string. */
    public String modelType() {
        return values.get("model_type") instanceof String s ? s : "";
    }
}
