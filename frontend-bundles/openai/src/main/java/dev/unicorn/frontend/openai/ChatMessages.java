package dev.unicorn.frontend.openai;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The {@code messages} of a chat request, checked and turned into what a chat template receives, as transformers
 * (and vLLM) hand them over: text parts joined into one string, an assistant's {@code tool_calls} with their
 * {@code arguments} parsed from the JSON string OpenAI sends into an object, tool results with their
 * {@code tool_call_id}.
 */
final class ChatMessages {
    static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool");
    private static final Set<String> FIELDS = Set.of("role", "content", "name", "tool_calls", "tool_call_id",
            "refusal", "reasoning_content");
    private static final Set<String> IMAGE_PARTS = Set.of("image_url", "input_image", "image");
    private static final ObjectMapper JSON = new ObjectMapper();

    private ChatMessages() {
    }

    static List<Map<String, Object>> read(JsonFields request) {
        List<JsonNode> messages = request.array("messages");
        if (messages == null) {
            throw ApiException.invalid("messages", "messages is required: a non-empty array of messages");
        }
        if (messages.isEmpty()) {
            throw ApiException.invalid("messages", "messages must not be empty");
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            out.add(message(new JsonFields(messages.get(i), "messages[" + i + "]")));
        }
        return out;
    }

    /** True when an assistant turn carries tool calls or a tool result is among the messages. */
    static boolean hasToolTurns(List<Map<String, Object>> messages) {
        return messages.stream().anyMatch(m -> m.containsKey("tool_calls") || "tool".equals(m.get("role")));
    }

    /**
     * The conversation for a template that knows no tool turns: an assistant's calls become its text (one
     * {@code <tool_call>} JSON object each, as Hermes-style templates write them), a tool result becomes a user turn
     * holding a {@code <tool_response>}, and consecutive turns of one role are joined, so roles still alternate.
     */
    static List<Map<String, Object>> withToolTurnsAsText(List<Map<String, Object>> messages) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> m : messages) {
            String role = (String) m.get("role");
            StringBuilder text = new StringBuilder(m.get("content") instanceof String s ? s : "");
            if (m.get("tool_calls") instanceof List<?> calls) {
                for (Object call : calls) {
                    Object function = call instanceof Map<?, ?> c ? c.get("function") : null;
                    try {
                        text.append(text.isEmpty() ? "" : "\n").append("<tool_call>\n")
                                .append(JSON.writeValueAsString(function)).append("\n</tool_call>");
                    } catch (JsonProcessingException e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
            if (role.equals("tool")) {
                role = "user";
                text.insert(0, "<tool_response>\n").append("\n</tool_response>");
            }
            Map<String, Object> last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && last.get("role").equals(role)) {
                last.put("content", last.get("content") + "\n\n" + text);
            } else {
                Map<String, Object> turn = new LinkedHashMap<>();
                turn.put("role", role);
                turn.put("content", text.toString());
                out.add(turn);
            }
        }
        return out;
    }

    private static Map<String, Object> message(JsonFields m) {
        m.checkNames(FIELDS, Set.of());
        String role = m.requiredString("role");
        if (!ROLES.contains(role)) {
            throw ApiException.invalid(m.param("role"), m.param("role") + " must be one of system, user, assistant, "
                    + "tool (or developer), got '" + role + "'");
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("role", role.equals("developer") ? "system" : role);
        List<Map<String, Object>> toolCalls = role.equals("assistant") ? toolCalls(m) : null;
        if (!role.equals("assistant") && m.has("tool_calls")) {
            throw ApiException.invalid(m.param("tool_calls"), m.param("tool_calls") + " is only allowed in assistant "
                    + "messages");
        }
        String content = content(m, role, toolCalls != null);
        out.put("content", content);
        if (m.has("name")) {
            out.put("name", m.string("name", null));
        }
        if (toolCalls != null) {
            out.put("tool_calls", toolCalls);
        }
        if (role.equals("tool")) {
            out.put("tool_call_id", m.requiredString("tool_call_id"));
        } else if (m.has("tool_call_id")) {
            throw ApiException.invalid(m.param("tool_call_id"), m.param("tool_call_id") + " is only allowed in tool "
                    + "messages");
        }
        if (m.has("reasoning_content")) {
            out.put("reasoning_content", m.string("reasoning_content", null));
        }
        m.string("refusal", null);
        return out;
    }

    /** The content as one string: text parts joined with newlines. */
    private static String content(JsonFields m, String role, boolean hasToolCalls) {
        JsonNode c = m.get("content");
        if (c == null) {
            if (role.equals("assistant") && hasToolCalls) {
                return null;
            }
            throw ApiException.invalid(m.param("content"), m.param("content") + " is required for " + role
                    + " messages" + (role.equals("assistant") ? " without tool_calls" : ""));
        }
        if (c.isTextual()) {
            return c.textValue();
        }
        if (!c.isArray()) {
            throw m.wrongType("content", "a string or an array of content parts", c);
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < c.size(); i++) {
            JsonFields part = new JsonFields(c.get(i), m.param("content") + "[" + i + "]");
            String type = part.requiredString("type");
            if (IMAGE_PARTS.contains(type)) {
                throw ApiException.invalid(part.param("type"), part.param("type") + " is '" + type
                        + "', but the model takes text only");
            }
            if (!type.equals("text")) {
                throw ApiException.invalid(part.param("type"), part.param("type") + " must be 'text' (the model "
                        + "takes text only), got '" + type + "'");
            }
            part.checkNames(Set.of("type", "text"), Set.of());
            if (!text.isEmpty()) {
                text.append('\n');
            }
            text.append(part.requiredString("text"));
        }
        return text.toString();
    }

    private static List<Map<String, Object>> toolCalls(JsonFields m) {
        List<JsonNode> calls = m.array("tool_calls");
        if (calls == null) {
            return null;
        }
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < calls.size(); i++) {
            JsonFields call = new JsonFields(calls.get(i), m.param("tool_calls") + "[" + i + "]");
            call.checkNames(Set.of("id", "type", "function"), Set.of());
            String type = call.string("type", "function");
            if (!type.equals("function")) {
                throw ApiException.invalid(call.param("type"), call.param("type") + " must be 'function', got '" + type
                        + "'");
            }
            JsonFields function = call.object("function");
            if (function == null) {
                throw ApiException.invalid(call.param("function"), call.param("function") + " is required");
            }
            function.checkNames(Set.of("name", "arguments"), Set.of());
            Map<String, Object> f = new LinkedHashMap<>();
            f.put("name", function.requiredString("name"));
            f.put("arguments", arguments(function));
            Map<String, Object> c = new LinkedHashMap<>();
            if (call.has("id")) {
                c.put("id", call.string("id", null));
            }
            c.put("type", "function");
            c.put("function", f);
            out.add(c);
        }
        return out;
    }

    /** The arguments as an object when they are a JSON object (string or not), else the string as it came. */
    private static Object arguments(JsonFields function) {
        JsonNode a = function.get("arguments");
        if (a == null) {
            return Map.of();
        }
        JsonNode parsed = a;
        if (a.isTextual()) {
            try {
                parsed = JSON.readTree(a.textValue());
            } catch (JsonProcessingException e) {
                return a.textValue();
            }
        }
        if (parsed != null && parsed.isObject()) {
            return JSON.convertValue(parsed, Map.class);
        }
        if (a.isTextual()) {
            return a.textValue();
        }
        throw function.wrongType("arguments", "a JSON string or an object", a);
    }
}
