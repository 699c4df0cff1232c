package dev.unicorn.frontend.openai;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Tool calls in a model's output: Qwen/Hermes {@code <tool_call>{"name": ..., "arguments": {...}}</tool_call>}
 * blocks, or the whole output being one JSON object (or array of objects) with {@code name} and {@code arguments}.
 */
final class ToolCalls {
    static final String OPEN = "<tool_call>";
    private static final Pattern HERMES = Pattern.compile("<tool_call>\\s*(.*?)\\s*(?:</tool_call>|$)", Pattern.DOTALL);
    private static final Pattern FENCE = Pattern.compile("^```(?:json)?\\s*(.*?)\\s*```$", Pattern.DOTALL);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One call: the function's name and its arguments as a JSON string (as OpenAI sends them). */
    record Call(String name, String arguments) {
    }

    /** The text around the calls (null when there is none) and the calls, in order. */
    record Parsed(String content, List<Call> calls) {
    }

    private ToolCalls() {
    }

    /** The calls in {@code text}; none (and the text unchanged) when it holds no well-formed call. */
    static Parsed parse(String text) {
        if (text.contains("<tool_call>")) {
            List<Call> calls = new ArrayList<>();
            StringBuilder rest = new StringBuilder();
            Matcher m = HERMES.matcher(text);
            int last = 0;
            while (m.find()) {
                Call call = call(m.group(1));
                if (call == null) {
                    return new Parsed(text, List.of());
                }
                calls.add(call);
                rest.append(text, last, m.start());
                last = m.end();
            }
            rest.append(text.substring(last));
            String content = rest.toString().strip();
            return new Parsed(content.isEmpty() ? null : content, calls);
        }
        String body = text.strip();
        Matcher fence = FENCE.matcher(body);
        if (fence.matches()) {
            body = fence.group(1);
        }
        if (body.startsWith("{") || body.startsWith("[")) {
            try {
                JsonNode node = JSON.readTree(body);
                List<Call> calls = new ArrayList<>();
                for (JsonNode item : node.isArray() ? node : List.of(node)) {
                    Call call = call(item);
                    if (call == null) {
                        return new Parsed(text, List.of());
                    }
                    calls.add(call);
                }
                if (!calls.isEmpty()) {
                    return new Parsed(null, calls);
                }
            } catch (JsonProcessingException e) {
                // not JSON: plain content
            }
        }
        return new Parsed(text, List.of());
    }

    private static Call call(String json) {
        try {
            return call(JSON.readTree(json));
        } catch (JsonProcessingException e) {
            return null;
        }
    }

    private static Call call(JsonNode node) {
        if (node == null || !node.isObject() || !node.path("name").isTextual()) {
            return null;
        }
        JsonNode args = node.has("arguments") ? node.get("arguments") : node.get("parameters");
        if (args == null || args.isNull()) {
            args = JSON.createObjectNode();
        }
        if (args.isTextual()) {
            return new Call(node.get("name").textValue(), args.textValue());
        }
        if (!args.isObject()) {
            return null;
        }
        return new Call(node.get("name").textValue(), args.toString());
    }

    /**
     * The JSON Schema of a call to one of {@code tools} (name → parameters schema), for constrained decoding when
     * the request forces a call.
     */
    static Map<String, Object> schema(Map<String, Map<String, Object>> tools) {
        List<Object> options = new ArrayList<>();
        for (var tool : tools.entrySet()) {
            Map<String, Object> properties = new LinkedHashMap<>();
            properties.put("name", Map.of("type", "string", "enum", List.of(tool.getKey())));
            properties.put("arguments", tool.getValue() == null ? Map.of("type", "object") : tool.getValue());
            Map<String, Object> schema = new LinkedHashMap<>();
            schema.put("type", "object");
            schema.put("properties", properties);
            schema.put("required", List.of("name", "arguments"));
            schema.put("additionalProperties", false);
            options.add(schema);
        }
        if (options.size() == 1) {
            @SuppressWarnings("unchecked")
            Map<String, Object> only = (Map<String, Object>) options.get(0);
            return only;
        }
        return Map.of("anyOf", options);
    }
}
