package dev.unicorn.frontend.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class ToolCallsTest {

    @Test
    void hermesBlocksBecomeCallsAndTheRestStaysContent() {
        ToolCalls.Parsed p = ToolCalls.parse("Let me check.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": "
                + "{\"city\": \"Paris\"}}\n</tool_call>\n<tool_call>{\"name\": \"now\", \"arguments\": {}}</tool_call>");
        assertEquals("Let me check.", p.content());
        assertEquals(List.of(new ToolCalls.Call("get_weather", "{\"city\":\"Paris\"}"), new ToolCalls.Call("now", "{}")),
                p.calls());
    }

    @Test
    void anUnclosedBlockAtTheEndIsStillACall() {
        ToolCalls.Parsed p = ToolCalls.parse("<tool_call>{\"name\": \"f\", \"arguments\": {\"x\": 1}}");
        assertNull(p.content());
        assertEquals(List.of(new ToolCalls.Call("f", "{\"x\":1}")), p.calls());
    }

    @Test
    void aBareJsonObjectWithNameAndArgumentsIsACall() {
        ToolCalls.Parsed p = ToolCalls.parse("  {\"name\": \"f\", \"arguments\": {\"a\": [1, 2]}}\n");
        assertNull(p.content());
        assertEquals(List.of(new ToolCalls.Call("f", "{\"a\":[1,2]}")), p.calls());
        ToolCalls.Parsed fenced = ToolCalls.parse("```json\n{\"name\": \"g\", \"parameters\": {}}\n```");
        assertEquals(List.of(new ToolCalls.Call("g", "{}")), fenced.calls());
    }

    @Test
    void textAndMalformedCallsStayContent() {
        for (String text : List.of("Hello there", "{\"answer\": 42}", "<tool_call>{not json}</tool_call>",
                "{\"name\": 3, \"arguments\": {}}", "[1, 2]")) {
            ToolCalls.Parsed p = ToolCalls.parse(text);
            assertEquals(text, p.content(), text);
            assertTrue(p.calls().isEmpty(), text);
        }
    }

    @Test
    void theForcedSchemaNamesTheFunctionAndItsParameters() {
        Map<String, Object> params = Map.of("type", "object", "properties", Map.of("city", Map.of("type", "string")));
        Map<String, Map<String, Object>> one = new LinkedHashMap<>();
        one.put("get_weather", params);
        Map<String, Object> schema = ToolCalls.schema(one);
        assertEquals("object", schema.get("type"));
        assertEquals(List.of("name", "arguments"), schema.get("required"));
        @SuppressWarnings("unchecked")
        Map<String, Object> properties = (Map<String, Object>) schema.get("properties");
        assertEquals(Map.of("type", "string", "enum", List.of("get_weather")), properties.get("name"));
        assertEquals(params, properties.get("arguments"));
        Map<String, Map<String, Object>> two = new LinkedHashMap<>(one);
        two.put("now", null);
        @SuppressWarnings("unchecked")
        List<Object> anyOf = (List<Object>) ToolCalls.schema(two).get("anyOf");
        assertEquals(2, anyOf.size());
    }
}
