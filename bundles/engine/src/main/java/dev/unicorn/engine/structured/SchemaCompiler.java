package dev.unicorn.engine.structured;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.unicorn.engine.structured.SchemaNode.AnyOf;
import dev.unicorn.engine.structured.SchemaNode.ArrayValue;
import dev.unicorn.engine.structured.SchemaNode.Literals;
import dev.unicorn.engine.structured.SchemaNode.NumberValue;
import dev.unicorn.engine.structured.SchemaNode.ObjectValue;
import dev.unicorn.engine.structured.SchemaNode.Reference;
import dev.unicorn.engine.structured.SchemaNode.StringValue;

/**
 * Compiles the JSON Schema subset of OpenAI's structured outputs to a {@link SchemaNode}: types object, array,
 * string, number, integer, boolean and null (or a list of them), enum, const, anyOf, $ref into $defs or definitions
 * (recursion through an object or array), properties, required, additionalProperties, items, minItems, maxItems.
 * Keywords that would restrict values further (pattern, format, minimum, ...) are rejected, naming the keyword and
 * where it is.
 */
final class SchemaCompiler {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Keywords that annotate and never change which values are valid. */
    private static final Set<String> ANNOTATIONS = Set.of("description", "title", "$schema", "$id", "$comment",
            "examples", "default", "deprecated", "readOnly", "writeOnly", "$defs", "definitions");
    private static final Set<String> TYPES = Set.of("object", "array", "string", "number", "integer", "boolean",
            "null");
    private static final Set<String> VALUE_KEYWORDS = Set.of("type", "enum", "const", "anyOf", "$ref", "properties",
            "required", "additionalProperties", "items", "minItems", "maxItems");

    static final SchemaNode ANY_VALUE = anyValue();
    static final SchemaNode ANY_OBJECT = new ObjectValue(List.of(), List.of(), List.of(), ANY_VALUE);

    private final Map<String, Object> root;
    private final Map<String, Reference> references = new HashMap<>();
    /** $refs being compiled, with how many objects and arrays enclosed them: a cycle needs one more in between. */
    private final Map<String, Integer> compiling = new LinkedHashMap<>();
    private int containers;

    private SchemaCompiler(Map<String, Object> root) {
        this.root = root;
    }

    /** @throws IllegalArgumentException naming the keyword and its path when the schema is malformed or unsupported */
    static SchemaNode compile(Map<String, Object> schema) {
        if (schema == null) {
            throw new IllegalArgumentException("the schema is missing");
        }
        return new SchemaCompiler(schema).node(schema, "#");
    }

    private SchemaNode node(Object value, String path) {
        if (value instanceof Boolean b) {
            if (!b) {
                throw new IllegalArgumentException("schema false at " + path + " allows no value");
            }
            return ANY_VALUE;
        }
        if (!(value instanceof Map<?, ?> raw)) {
            throw new IllegalArgumentException("expected a schema (JSON object) at " + path + ", got " + describe(value));
        }
        Map<String, Object> schema = stringKeys(raw, path);
        for (String keyword : schema.keySet()) {
            if (!ANNOTATIONS.contains(keyword) && !VALUE_KEYWORDS.contains(keyword)) {
                throw new IllegalArgumentException("unsupported JSON Schema keyword '" + keyword + "' at " + path
                        + " (supported: " + String.join(", ", VALUE_KEYWORDS.stream().sorted().toList()) + ")");
            }
        }
        int combinators = (schema.containsKey("$ref") ? 1 : 0) + (schema.containsKey("anyOf") ? 1 : 0);
        if (combinators > 0) {
            for (String k : schema.keySet()) {
                if (VALUE_KEYWORDS.contains(k) && !k.equals("$ref") && !k.equals("anyOf")) {
                    throw new IllegalArgumentException("'" + k + "' beside '"
                            + (schema.containsKey("$ref") ? "$ref" : "anyOf") + "' at " + path
                            + " is not supported: put it inside each option");
                }
            }
            if (combinators == 2) {
                throw new IllegalArgumentException("'$ref' beside 'anyOf' at " + path + " is not supported");
            }
            return schema.containsKey("$ref") ? reference(schema.get("$ref"), path + "/$ref") : anyOf(schema, path);
        }
        List<String> types = types(schema, path);
        if (schema.containsKey("enum") || schema.containsKey("const")) {
            return literals(schema, types, path);
        }
        if (types.size() == 1) {
            return typed(schema, types.getFirst(), path);
        }
        List<SchemaNode> options = new ArrayList<>();
        for (String type : types) {
            options.add(typed(schema, type, path));
        }
        return new AnyOf(options);
    }

    /** The types a schema names; without "type", the one its keywords imply, or all of them. */
    private List<String> types(Map<String, Object> schema, String path) {
        Object type = schema.get("type");
        if (type == null) {
            boolean object = schema.containsKey("properties") || schema.containsKey("required")
                    || schema.containsKey("additionalProperties");
            boolean array = schema.containsKey("items") || schema.containsKey("minItems")
                    || schema.containsKey("maxItems");
            if (object && array) {
                throw new IllegalArgumentException("schema at " + path
                        + " has both object and array keywords but no 'type'");
            }
            if (object) {
                return List.of("object");
            }
            if (array) {
                return List.of("array");
            }
            return List.copyOf(TYPES);
        }
        List<?> names = type instanceof List<?> l ? l : List.of(type);
        if (names.isEmpty()) {
            throw new IllegalArgumentException("'type' at " + path + " is an empty list");
        }
        List<String> out = new ArrayList<>();
        for (Object name : names) {
            if (!(name instanceof String s) || !TYPES.contains(s)) {
                throw new IllegalArgumentException("'type' at " + path + " must be one of " + TYPES.stream().sorted()
                        .toList() + " or a list of them, got " + describe(name));
            }
            if (!out.contains(s)) {
                out.add(s);
            }
        }
        return out;
    }

    private SchemaNode typed(Map<String, Object> schema, String type, String path) {
        for (String k : schema.keySet()) {
            boolean fits = switch (k) {
                case "properties", "required", "additionalProperties" -> type.equals("object")
                        || schema.get("type") instanceof List<?>;
                case "items", "minItems", "maxItems" -> type.equals("array") || schema.get("type") instanceof List<?>;
                default -> true;
            };
            if (!fits) {
                throw new IllegalArgumentException("'" + k + "' at " + path + " does not apply to type '" + type + "'");
            }
        }
        return switch (type) {
            case "object" -> object(schema, path);
            case "array" -> array(schema, path);
            case "string" -> new StringValue();
            case "number" -> new NumberValue(false);
            case "integer" -> new NumberValue(true);
            case "boolean" -> new Literals(List.of("true", "false"));
            default -> new Literals(List.of("null"));
        };
    }

    private SchemaNode object(Map<String, Object> schema, String path) {
        containers++;
        try {
            Map<String, Object> properties = schema.containsKey("properties")
                    ? stringKeys(mapAt(schema.get("properties"), path + "/properties"), path + "/properties")
                    : Map.of();
            List<String> required = new ArrayList<>();
            if (schema.containsKey("required")) {
                if (!(schema.get("required") instanceof List<?> names)) {
                    throw new IllegalArgumentException("'required' at " + path + " must be a list of property names, got "
                            + describe(schema.get("required")));
                }
                for (Object name : names) {
                    if (!(name instanceof String s)) {
                        throw new IllegalArgumentException("'required' at " + path + " must hold strings, got "
                                + describe(name));
                    }
                    if (!properties.containsKey(s)) {
                        throw new IllegalArgumentException("required property '" + s + "' at " + path
                                + " is not in 'properties'");
                    }
                    required.add(s);
                }
            }
            Object additional = schema.getOrDefault("additionalProperties", Boolean.TRUE);
            if (!(additional instanceof Boolean) && !(additional instanceof Map<?, ?>)) {
                throw new IllegalArgumentException("'additionalProperties' at " + path
                        + " must be a boolean or a schema, got " + describe(additional));
            }
            if (properties.isEmpty()) {
                SchemaNode values = Boolean.FALSE.equals(additional) ? null
                        : Boolean.TRUE.equals(additional) ? ANY_VALUE : node(additional, path + "/additionalProperties");
                return new ObjectValue(List.of(), List.of(), List.of(), values);
            }
            if (additional instanceof Map<?, ?>) {
                node(additional, path + "/additionalProperties"); // checked, though only declared keys are emitted
            }
            List<String> keys = new ArrayList<>();
            List<SchemaNode> values = new ArrayList<>();
            List<Boolean> isRequired = new ArrayList<>();
            for (Map.Entry<String, Object> e : properties.entrySet()) {
                keys.add(encode(e.getKey()));
                values.add(node(e.getValue(), path + "/properties/" + pointerEscape(e.getKey())));
                isRequired.add(required.contains(e.getKey()));
            }
            return new ObjectValue(keys, values, isRequired, null);
        } finally {
            containers--;
        }
    }

    private SchemaNode array(Map<String, Object> schema, String path) {
        containers++;
        try {
            int min = count(schema, "minItems", 0, path);
            int max = count(schema, "maxItems", Integer.MAX_VALUE, path);
            if (min > max) {
                throw new IllegalArgumentException("minItems " + min + " > maxItems " + max + " at " + path);
            }
            Object items = schema.get("items");
            if (items instanceof List<?>) {
                throw new IllegalArgumentException("'items' at " + path + " is a list (tuple validation), which is not"
                        + " supported: give one schema");
            }
            return new ArrayValue(items == null ? ANY_VALUE : node(items, path + "/items"), min, max);
        } finally {
            containers--;
        }
    }

    private SchemaNode literals(Map<String, Object> schema, List<String> types, String path) {
        if (schema.containsKey("enum") && schema.containsKey("const")) {
            throw new IllegalArgumentException("both 'enum' and 'const' at " + path);
        }
        List<?> values;
        String keyword;
        if (schema.containsKey("const")) {
            keyword = "const";
            values = java.util.Collections.singletonList(schema.get("const"));
        } else {
            keyword = "enum";
            if (!(schema.get("enum") instanceof List<?> l) || l.isEmpty()) {
                throw new IllegalArgumentException("'enum' at " + path + " must be a non-empty list, got "
                        + describe(schema.get("enum")));
            }
            values = l;
        }
        for (String k : schema.keySet()) {
            if (VALUE_KEYWORDS.contains(k) && !k.equals("type") && !k.equals(keyword)) {
                throw new IllegalArgumentException("'" + k + "' beside '" + keyword + "' at " + path
                        + " is not supported");
            }
        }
        List<String> texts = new ArrayList<>();
        for (Object v : values) {
            String type = typeOf(v);
            if (!types.contains(type) && !(type.equals("integer") && types.contains("number"))) {
                throw new IllegalArgumentException("'" + keyword + "' value " + encode(v) + " at " + path
                        + " is not of type " + types);
            }
            String text = encode(v);
            if (!texts.contains(text)) {
                texts.add(text);
            }
        }
        return new Literals(texts);
    }

    private SchemaNode anyOf(Map<String, Object> schema, String path) {
        if (!(schema.get("anyOf") instanceof List<?> options) || options.isEmpty()) {
            throw new IllegalArgumentException("'anyOf' at " + path + " must be a non-empty list of schemas, got "
                    + describe(schema.get("anyOf")));
        }
        List<SchemaNode> nodes = new ArrayList<>();
        for (int i = 0; i < options.size(); i++) {
            nodes.add(node(options.get(i), path + "/anyOf/" + i));
        }
        return nodes.size() == 1 ? nodes.getFirst() : new AnyOf(nodes);
    }

    private SchemaNode reference(Object value, String path) {
        if (!(value instanceof String ref)) {
            throw new IllegalArgumentException("'$ref' at " + path + " must be a string, got " + describe(value));
        }
        Integer enclosing = compiling.get(ref);
        if (enclosing != null) {
            if (enclosing == containers) {
                throw new IllegalArgumentException("'$ref' " + ref + " at " + path
                        + " refers to itself without an object or array in between");
            }
            return references.get(ref);
        }
        Reference done = references.get(ref);
        if (done != null) {
            return done;
        }
        Object target = resolve(ref, path);
        Reference reference = new Reference(ref);
        references.put(ref, reference);
        compiling.put(ref, containers);
        try {
            reference.target = node(target, ref);
        } finally {
            compiling.remove(ref);
        }
        return reference;
    }

    private Object resolve(String ref, String path) {
        if (ref.equals("#")) {
            return root;
        }
        if (!ref.startsWith("#/")) {
            throw new IllegalArgumentException("'$ref' " + ref + " at " + path
                    + " is not supported: only references within the schema (#/$defs/..., #/definitions/...)");
        }
        Object at = root;
        for (String part : ref.substring(2).split("/", -1)) {
            String name = part.replace("~1", "/").replace("~0", "~");
            if (!(at instanceof Map<?, ?> m) || !m.containsKey(name)) {
                throw new IllegalArgumentException("'$ref' " + ref + " at " + path + " points to nothing");
            }
            at = m.get(name);
        }
        return at;
    }

    private static int count(Map<String, Object> schema, String keyword, int absent, String path) {
        Object v = schema.get(keyword);
        if (v == null) {
            return absent;
        }
        if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.doubleValue() < 0) {
            throw new IllegalArgumentException("'" + keyword + "' at " + path + " must be a non-negative integer, got "
                    + describe(v));
        }
        return (int) Math.min(Integer.MAX_VALUE, n.longValue());
    }

    private static String typeOf(Object v) {
        return switch (v) {
            case null -> "null";
            case String s -> "string";
            case Boolean b -> "boolean";
            case Integer i -> "integer";
            case Long l -> "integer";
            case java.math.BigInteger b -> "integer";
            case Number n -> n.doubleValue() == Math.rint(n.doubleValue()) ? "integer" : "number";
            case List<?> l -> "array";
            case Map<?, ?> m -> "object";
            default -> throw new IllegalArgumentException("not a JSON value: " + v.getClass().getName());
        };
    }

    /** The compact JSON text of a value, as it is emitted. */
    static String encode(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a JSON value: " + value, e);
        }
    }

    private static Map<String, Object> mapAt(Object value, String path) {
        if (!(value instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException("expected a JSON object at " + path + ", got " + describe(value));
        }
        return stringKeys(m, path);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> stringKeys(Map<?, ?> map, String path) {
        for (Object k : map.keySet()) {
            if (!(k instanceof String)) {
                throw new IllegalArgumentException("key " + k + " at " + path + " is not a string");
            }
        }
        return (Map<String, Object>) map;
    }

    private static String pointerEscape(String name) {
        return name.replace("~", "~0").replace("/", "~1");
    }

    private static String describe(Object v) {
        return v == null ? "null" : v instanceof String s ? "\"" + s + "\"" : v.toString();
    }

    private static SchemaNode anyValue() {
        Reference any = new Reference("any JSON value");
        any.target = new AnyOf(List.of(new ObjectValue(List.of(), List.of(), List.of(), any),
                new ArrayValue(any, 0, Integer.MAX_VALUE), new StringValue(), new NumberValue(false),
                new Literals(List.of("true", "false", "null"))));
        return any;
    }
}
