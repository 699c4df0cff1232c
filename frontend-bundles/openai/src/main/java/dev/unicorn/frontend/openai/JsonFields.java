package dev.unicorn.frontend.openai;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Typed, checked access to the fields of one JSON object of a request. Every error names the field by its path
 * (e.g. {@code messages[2].content}) and says what was expected and what came.
 */
final class JsonFields {
    private final JsonNode node;
    private final String path;

    JsonFields(JsonNode node, String path) {
        if (node == null || !node.isObject()) {
            throw ApiException.invalid(path.isEmpty() ? null : path,
                    (path.isEmpty() ? "the request body" : path) + " must be a JSON object, got " + kind(node));
        }
        this.node = node;
        this.path = path;
    }

    /** The name of the field as clients see it. */
    String param(String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    /**
     * Rejects fields that are neither {@code known} nor {@code ignored}; {@code unsupported} ones get their own
     * message.
     */
    void checkNames(Set<String> known, Set<String> unsupported) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext();) {
            String name = it.next();
            if (unsupported.contains(name) && !node.get(name).isNull()) {
                throw ApiException.invalid(param(name), param(name) + " is not supported by this server");
            }
            if (!known.contains(name) && !unsupported.contains(name)) {
                throw ApiException.invalid(param(name), "unknown field '" + param(name) + "'; known fields: "
                        + known.stream().sorted().toList());
            }
        }
    }

    /** Present and not null. */
    boolean has(String name) {
        JsonNode v = node.get(name);
        return v != null && !v.isNull();
    }

    JsonNode get(String name) {
        JsonNode v = node.get(name);
        return v == null || v.isNull() ? null : v;
    }

    String string(String name, String defaultValue) {
        JsonNode v = get(name);
        if (v == null) {
            return defaultValue;
        }
        if (!v.isTextual()) {
            throw wrongType(name, "a string", v);
        }
        return v.textValue();
    }

    String requiredString(String name) {
        String s = string(name, null);
        if (s == null) {
            throw ApiException.invalid(param(name), param(name) + " is required");
        }
        return s;
    }

    boolean bool(String name, boolean defaultValue) {
        JsonNode v = get(name);
        if (v == null) {
            return defaultValue;
        }
        if (!v.isBoolean()) {
            throw wrongType(name, "a boolean", v);
        }
        return v.booleanValue();
    }

    /** A number in [min, max] ({@code minExclusive} makes the lower bound open). */
    double number(String name, double defaultValue, double min, boolean minExclusive, double max) {
        JsonNode v = get(name);
        if (v == null) {
            return defaultValue;
        }
        if (!v.isNumber()) {
            throw wrongType(name, "a number", v);
        }
        double d = v.doubleValue();
        if (!Double.isFinite(d) || d < min || (minExclusive && d == min) || d > max) {
            throw ApiException.invalid(param(name), param(name) + " must be in " + (minExclusive ? "(" : "[")
                    + format(min) + ", " + format(max) + "], got " + v);
        }
        return d;
    }

    long integer(String name, long defaultValue, long min, long max) {
        JsonNode v = get(name);
        if (v == null) {
            return defaultValue;
        }
        if (!v.isIntegralNumber() && !(v.isNumber() && v.doubleValue() == Math.rint(v.doubleValue()))) {
            throw wrongType(name, "an integer", v);
        }
        if (!v.canConvertToLong() || v.longValue() < min || v.longValue() > max) {
            throw ApiException.invalid(param(name), param(name) + " must be in " + min + ".." + max + ", got " + v);
        }
        return v.longValue();
    }

    /** The field as an object, or null when absent. */
    JsonFields object(String name) {
        JsonNode v = get(name);
        return v == null ? null : new JsonFields(v, param(name));
    }

    /** The field as an array, or null when absent. */
    List<JsonNode> array(String name) {
        JsonNode v = get(name);
        if (v == null) {
            return null;
        }
        if (!v.isArray()) {
            throw wrongType(name, "an array", v);
        }
        List<JsonNode> items = new ArrayList<>();
        v.forEach(items::add);
        return items;
    }

    ApiException wrongType(String name, String expected, JsonNode got) {
        return ApiException.invalid(param(name), param(name) + " must be " + expected + ", got " + kind(got));
    }

    static String kind(JsonNode v) {
        if (v == null || v.isMissingNode()) {
            return "nothing";
        }
        return switch (v.getNodeType()) {
            case NULL -> "null";
            case STRING -> "a string";
            case NUMBER -> "a number (" + v + ")";
            case BOOLEAN -> "a boolean";
            case ARRAY -> "an array";
            case OBJECT, POJO -> "an object";
            default -> v.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static String format(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }
}
