package dev.unicorn.engine.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.unicorn.api.model.ModelConfig;
import dev.unicorn.api.model.ModelException;

/**
 * Typed access to a {@link ModelConfig}. Every getter names the file and field when a value is missing or of the
 * wrong type; getters with a default return it when the field is absent or null, as transformers does.
 */
public final class HfConfig {
    private final ModelConfig config;

    public HfConfig(ModelConfig config) {
        this.config = config;
    }

    /** Reads {@code config.json} from a model folder. */
    public static ModelConfig read(Path modelFolder) {
        Path file = modelFolder.resolve("config.json");
        try {
            String text = Files.readString(file);
            Object parsed = new ObjectMapper()
                    .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    .readValue(text, Object.class);
            if (!(parsed instanceof Map<?, ?> map)) {
                throw new ModelException(file + ": expected a JSON object at the top level");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> values = (Map<String, Object>) map;
            return new ModelConfig(file, values);
        } catch (NoSuchFileException e) {
            throw new ModelException(file + ": missing; a Hugging Face model folder needs config.json");
        } catch (JsonProcessingException e) {
            throw new ModelException(file + ": malformed JSON: " + e.getOriginalMessage() + " at line "
                    + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr(), e);
        } catch (IOException e) {
            throw new ModelException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    public ModelConfig config() {
        return config;
    }

    public boolean has(String key) {
        return config.values().get(key) != null;
    }

    /** A required positive integer field. */
    public int positiveInt(String key) {
        Object v = config.values().get(key);
        if (v == null) {
            throw error(key, "is missing; expected a positive integer");
        }
        return positive(key, v);
    }

    /** A positive integer field, or the default when absent. */
    public int positiveInt(String key, int defaultValue) {
        Object v = config.values().get(key);
        return v == null ? defaultValue : positive(key, v);
    }

    private int positive(String key, Object v) {
        if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.longValue() <= 0
                || n.longValue() > Integer.MAX_VALUE) {
            throw error(key, "is " + v + "; expected a positive integer");
        }
        return n.intValue();
    }

    /** A finite number field, or the default when absent. */
    public double number(String key, double defaultValue) {
        Object v = config.values().get(key);
        if (v == null) {
            return defaultValue;
        }
        if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue())) {
            throw error(key, "is " + v + "; expected a number");
        }
        return n.doubleValue();
    }

    /** A boolean field, or the default when absent. */
    public boolean bool(String key, boolean defaultValue) {
        Object v = config.values().get(key);
        if (v == null) {
            return defaultValue;
        }
        if (!(v instanceof Boolean b)) {
            throw error(key, "is " + v + "; expected true or false");
        }
        return b;
    }

    /** A string field, or the default when absent. */
    public String string(String key, String defaultValue) {
        Object v = config.values().get(key);
        if (v == null) {
            return defaultValue;
        }
        if (!(v instanceof String s)) {
            throw error(key, "is " + v + "; expected a string");
        }
        return s;
    }

    /** An object field, if present. */
    @SuppressWarnings("unchecked")
    public Optional<Map<String, Object>> object(String key) {
        Object v = config.values().get(key);
        if (v == null) {
            return Optional.empty();
        }
        if (!(v instanceof Map<?, ?> m)) {
            throw error(key, "is " + v + "; expected an object");
        }
        return Optional.of((Map<String, Object>) m);
    }

    /**
     * The RoPE base: {@code rope_parameters.rope_theta} (transformers 5), else the top-level {@code rope_theta}
     * (4.x), else the class default.
     */
    public double ropeTheta(double defaultValue) {
        Optional<Map<String, Object>> p = object("rope_parameters");
        if (p.isPresent() && p.get().containsKey("rope_theta")) {
            if (!(p.get().get("rope_theta") instanceof Number n) || !Double.isFinite(n.doubleValue())) {
                throw error("rope_parameters", "has rope_theta " + p.get().get("rope_theta") + "; expected a number");
            }
            return n.doubleValue();
        }
        return number("rope_theta", defaultValue);
    }

    /**
     * The RoPE scaling settings: {@code rope_parameters} (5.x) or {@code rope_scaling} (4.x), as a rope type and
     * its factor. Absent or {@code default} means no scaling.
     */
    public RopeScaling ropeScaling() {
        Optional<Map<String, Object>> p = object("rope_parameters");
        Map<String, Object> s = p.orElseGet(() -> object("rope_scaling").orElse(Map.of()));
        Object type = s.getOrDefault("rope_type", s.get("type"));
        String ropeType = type == null ? "default" : type.toString();
        Object f = s.get("factor");
        if (f != null && !(f instanceof Number n && n.doubleValue() > 0)) {
            throw error(p.isPresent() ? "rope_parameters" : "rope_scaling", "has factor " + f + "; expected a positive number");
        }
        double factor = f == null ? 1.0 : ((Number) f).doubleValue();
        return new RopeScaling(ropeType, factor);
    }

    /** The RoPE scaling a config asks for. */
    public record RopeScaling(String type, double factor) {
    }

    /**
     * {@code layer_types} when given (it must have one entry per layer), else empty.
     */
    public Optional<List<String>> layerTypes(int layers) {
        Object v = config.values().get("layer_types");
        if (v == null) {
            return Optional.empty();
        }
        if (!(v instanceof List<?> l) || l.size() != layers) {
            throw error("layer_types", "must be a list of " + layers + " entries (num_hidden_layers), got " + v);
        }
        List<String> types = new ArrayList<>();
        for (Object o : l) {
            if (!(o instanceof String s) || !(s.equals("full_attention") || s.equals("sliding_attention"))) {
                throw error("layer_types", "has entry " + o + "; expected full_attention or sliding_attention");
            }
            types.add(s);
        }
        return Optional.of(List.copyOf(types));
    }

    /** An error naming the file and field. */
    public ModelException error(String key, String what) {
        return new ModelException(config.file() + ": field '" + key + "' " + what);
    }
}
