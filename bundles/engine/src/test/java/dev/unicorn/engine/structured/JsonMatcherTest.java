package dev.unicorn.engine.structured;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import dev.unicorn.engine.structured.JsonMatcher.Frame;

class JsonMatcherTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String PERSON = """
            {"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"},
             "tags":{"type":"array","items":{"enum":["a","b"]}}},
             "required":["name","age","tags"],"additionalProperties":false}""";

    @SuppressWarnings("unchecked")
    static SchemaNode schema(String json) {
        try {
            return SchemaCompiler.compile(JSON.readValue(json, Map.class));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static List<Frame> read(SchemaNode node, String text) {
        return JsonMatcher.advance(JsonMatcher.start(node), text);
    }

    private static void prefix(SchemaNode node, String text) {
        List<Frame> s = read(node, text);
        assertFalse(s.isEmpty(), "should be a valid prefix: " + text);
        assertFalse(JsonMatcher.canFinish(s), "should not be complete: " + text);
    }

    private static void complete(SchemaNode node, String text) {
        List<Frame> s = read(node, text);
        assertFalse(s.isEmpty(), "should be valid: " + text);
        assertTrue(JsonMatcher.canFinish(s), "should be complete: " + text);
    }

    private static void invalid(SchemaNode node, String text) {
        assertTrue(read(node, text).isEmpty(), "should be invalid: " + text);
    }

    @Test
    void objectWithRequiredPropertiesInOrder() {
        SchemaNode s = schema(PERSON);
        prefix(s, "");
        prefix(s, "{");
        prefix(s, "{\"na");
        prefix(s, "{\"name\": \"Jo\\\"e\\u00e9");
        prefix(s, "{\"name\":\"x\", \"age\": -12");
        complete(s, "{\"name\":\"x\",\"age\":0,\"tags\":[]}");
        complete(s, "{\"name\": \"x\", \"age\": 7, \"tags\": [\"a\", \"b\",\"a\"]}");
        assertTrue(JsonMatcher.closed(read(s, "{\"name\":\"x\",\"age\":0,\"tags\":[]}")));
        invalid(s, "{\"age\"");                         // out of order
        invalid(s, "{\"name\":\"x\"}");                 // required missing
        invalid(s, "{\"name\":\"x\",\"age\":1.5");      // integer
        invalid(s, "{\"name\":\"x\",\"age\":01");       // leading zero
        invalid(s, "{\"name\":\"x\",\"age\":1,\"tags\":[\"c\"");
        invalid(s, "{\"name\":\"x\",\"age\":1,\"tags\":[],\"more\"");
        invalid(s, "{\"name\":\"a\nb\"");               // raw control character
        invalid(s, "{\"name\":\"\\x\"");                // bad escape
        invalid(s, "{\"name\":  \"x\"");                // at most one space
        invalid(s, " {");                               // no leading whitespace
        invalid(s, "{\"name\":\"x\",\"age\":0,\"tags\":[]} "); // nothing after the value
    }

    @Test
    void optionalPropertiesMayBeLeftOut() {
        SchemaNode s = schema("""
                {"type":"object","properties":{"a":{"type":"boolean"},"ab":{"type":"null"},"b":{"type":"number"}},
                 "required":["b"],"additionalProperties":false}""");
        complete(s, "{\"b\":1}");
        complete(s, "{\"a\":true,\"b\":1.5e-3}");
        complete(s, "{\"ab\":null,\"b\":-0.0}");
        complete(s, "{\"a\":false,\"ab\":null,\"b\":2E+10}");
        invalid(s, "{\"ab\":null,\"a\"");
        invalid(s, "{\"a\":true}");
        invalid(s, "{\"b\":1,\"a\"");
        SchemaNode optional = schema("""
                {"type":"object","properties":{"x":{"type":"string"}},"additionalProperties":false}""");
        complete(optional, "{}");
        complete(optional, "{\"x\":\"\"}");
        invalid(optional, "{,");
    }

    @Test
    void jsonObjectIsAnyObject() {
        SchemaNode s = SchemaCompiler.ANY_OBJECT;
        complete(s, "{}");
        complete(s, "{\"k\": [1, {\"x\": null}, \"s\", true, -2.5e3, []], \"\": {}}");
        invalid(s, "[");
        invalid(s, "\"x\"");
        invalid(s, "{\"k\":}");
        invalid(s, "{\"k\":1,}");
        invalid(s, "{\"k\":[1,]}");
        invalid(s, "{k");
    }

    @Test
    void enumsConstsAndNumbersMayEndOrGoOn() {
        SchemaNode s = schema("{\"enum\":[1,12,\"x\",null,[1,2],{\"a\":1}]}");
        complete(s, "1");
        complete(s, "12");
        complete(s, "\"x\"");
        complete(s, "[1,2]");
        complete(s, "{\"a\":1}");
        invalid(s, "123");
        invalid(s, "[1, 2]"); // literals are emitted compact
        assertFalse(JsonMatcher.closed(read(s, "1")));
        assertTrue(JsonMatcher.closed(read(s, "12")));
        SchemaNode number = schema("{\"type\":\"number\"}");
        complete(number, "-0.5e7");
        prefix(number, "-");
        prefix(number, "1.");
        prefix(number, "1e+");
        complete(number, "-123456789012345.123456789012345e-123");
        invalid(number, "1234567890123456");
        invalid(number, "0.1234567890123456");
        invalid(number, "1e1234");
        invalid(number, "+1");
        invalid(number, ".5");
    }

    @Test
    void arraysCountTheirItems() {
        SchemaNode s = schema("{\"type\":\"array\",\"items\":{\"type\":\"integer\"},\"minItems\":1,\"maxItems\":2}");
        prefix(s, "[");
        invalid(s, "[]");
        complete(s, "[1]");
        complete(s, "[1, 2]");
        invalid(s, "[1,2,");
    }

    @Test
    void anyOfAndNullableTypes() {
        SchemaNode tools = schema(TOOLS);
        complete(tools, "{\"name\":\"get_weather\",\"arguments\":{\"city\":\"Paris\",\"unit\":\"celsius\"}}");
        complete(tools, "{\"name\":\"add\",\"arguments\":{\"a\":1,\"b\":2.5}}");
        prefix(tools, "{\"name\":\"");
        invalid(tools, "{\"name\":\"add\",\"arguments\":{\"city\"");
        invalid(tools, "{\"name\":\"get_weather\",\"arguments\":{\"a\"");
        invalid(tools, "{\"name\":\"other\"");
        SchemaNode nullable = schema("{\"type\":[\"string\",\"null\"]}");
        complete(nullable, "null");
        complete(nullable, "\"s\"");
        invalid(nullable, "1");
    }

    @Test
    void referencesIncludingRecursiveOnes() {
        SchemaNode s = schema("""
                {"$defs":{"node":{"type":"object","properties":{"v":{"type":"integer"},
                  "children":{"type":"array","items":{"$ref":"#/$defs/node"}}},
                  "required":["v","children"],"additionalProperties":false}},
                 "$ref":"#/$defs/node"}""");
        complete(s, "{\"v\":1,\"children\":[{\"v\":2,\"children\":[]},{\"v\":3,\"children\":[{\"v\":4,\"children\":[]}]}]}");
        invalid(s, "{\"v\":1,\"children\":[{\"v\":2}");
    }

    static final String TOOLS = """
            {"anyOf":[
              {"type":"object","properties":{"name":{"const":"get_weather"},"arguments":{"type":"object",
                "properties":{"city":{"type":"string"},"unit":{"enum":["celsius","fahrenheit"]}},
                "required":["city","unit"],"additionalProperties":false}},
               "required":["name","arguments"],"additionalProperties":false},
              {"type":"object","properties":{"name":{"const":"add"},"arguments":{"type":"object",
                "properties":{"a":{"type":"number"},"b":{"type":"number"}},
                "required":["a","b"],"additionalProperties":false}},
               "required":["name","arguments"],"additionalProperties":false}]}""";

    @Test
    void stringsOfAnyCharacterAndEscapes() {
        SchemaNode s = schema("{\"type\":\"string\"}");
        complete(s, "\"héllo 😀 \\n\\t\\\\ \\/ \\ud83d\\ude00\"");
        prefix(s, "\"\\u00");
        invalid(s, "\"\\u00g");
        assertEquals(1, read(s, "\"abc").size());
    }
}
