package dev.unicorn.frontend.openai;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A chat request's {@code tools} and {@code tool_choice}.
 *
 * @param definitions the tools as the chat template receives them ({@code tools} variable)
 * @param choice      {@code none}, {@code auto}, {@code required} or {@code function} (one named function)
 * @param parameters  each function's parameters schema (null when it has none), by name
 * @param named       the function {@code tool_choice} names, or null
 */
record Tools(List<Map<String, Object>> definitions, String choice, Map<String, Map<String, Object>> parameters,
        String named) {

    static final Tools NONE = new Tools(List.of(), "none", Map.of(), null);

    /** Whether the template is given the tools (and the output is searched for calls). */
    boolean rendered() {
        return !definitions.isEmpty() && !choice.equals("none");
    }

    boolean parsed() {
        return rendered();
    }

    /** Whether the output must be a call, enforced by constrained decoding. */
    boolean forced() {
        return choice.equals("required") || choice.equals("function");
    }

    String choiceName() {
        return choice.equals("function") ? "naming function '" + named + "'" : "'" + choice + "'";
    }

    /** The functions a forced call may name, with their parameters schemas. */
    Map<String, Map<String, Object>> forcedSchemas() {
        if (named == null) {
            return parameters;
        }
        Map<String, Map<String, Object>> one = new LinkedHashMap<>();
        one.put(named, parameters.get(named));
        return one;
    }

    static Tools read(JsonFields request) {
        List<JsonNode> tools = request.array("tools");
        List<Map<String, Object>> definitions = new ArrayList<>();
        Map<String, Map<String, Object>> parameters = new LinkedHashMap<>();
        if (tools != null) {
            for (int i = 0; i < tools.size(); i++) {
                JsonFields tool = new JsonFields(tools.get(i), "tools[" + i + "]");
                tool.checkNames(Set.of("type", "function"), Set.of());
                String type = tool.requiredString("type");
                if (!type.equals("function")) {
                    throw ApiException.invalid(tool.param("type"), tool.param("type") + " must be 'function', got '"
                            + type + "'");
                }
                JsonFields function = tool.object("function");
                if (function == null) {
                    throw ApiException.invalid(tool.param("function"), tool.param("function") + " is required");
                }
                function.checkNames(Set.of("name", "description", "parameters", "strict"), Set.of());
                String name = function.requiredString("name");
                if (!name.matches("[A-Za-z0-9_.-]{1,64}")) {
                    throw ApiException.invalid(function.param("name"), function.param("name") + " must be 1 to 64 "
                            + "letters, digits, '_', '.' or '-', got '" + name + "'");
                }
                if (parameters.containsKey(name)) {
                    throw ApiException.invalid(function.param("name"), "two tools are named '" + name + "'");
                }
                function.string("description", null);
                function.bool("strict", false);
                JsonFields params = function.object("parameters");
                @SuppressWarnings("unchecked")
                Map<String, Object> schema = params == null ? null
                        : Completions.JSON.convertValue(function.get("parameters"), Map.class);
                parameters.put(name, schema);
                @SuppressWarnings("unchecked")
                Map<String, Object> definition = Completions.JSON.convertValue(tools.get(i), Map.class);
                definitions.add(definition);
            }
        }
        JsonNode choice = request.get("tool_choice");
        if (choice == null) {
            return tools == null || tools.isEmpty() ? NONE : new Tools(definitions, "auto", parameters, null);
        }
        if (choice.isTextual()) {
            String c = choice.textValue();
            if (!Set.of("none", "auto", "required").contains(c)) {
                throw ApiException.invalid("tool_choice", "tool_choice must be none, auto, required or "
                        + "{\"type\": \"function\", \"function\": {\"name\": ...}}, got '" + c + "'");
            }
            if (c.equals("required") && definitions.isEmpty()) {
                throw ApiException.invalid("tool_choice", "tool_choice 'required' needs tools");
            }
            return new Tools(definitions, c, parameters, null);
        }
        JsonFields named = new JsonFields(choice, "tool_choice");
        named.checkNames(Set.of("type", "function"), Set.of());
        String type = named.requiredString("type");
        if (!type.equals("function")) {
            throw ApiException.invalid("tool_choice.type", "tool_choice.type must be 'function', got '" + type + "'");
        }
        JsonFields function = named.object("function");
        if (function == null) {
            throw ApiException.invalid("tool_choice.function", "tool_choice.function is required");
        }
        function.checkNames(Set.of("name"), Set.of());
        String name = function.requiredString("name");
        if (!parameters.containsKey(name)) {
            throw ApiException.invalid("tool_choice.function.name", "tool_choice names function '" + name
                    + "', which is not among the tools " + parameters.keySet());
        }
        return new Tools(definitions, "function", parameters, name);
    }
}
