package dev.unicorn.engine.structured;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

import dev.unicorn.engine.structured.SchemaNode.Literals;
import dev.unicorn.engine.structured.SchemaNode.ObjectValue;

class SchemaCompilerTest {

    private static String error(String schema) {
        return assertThrows(IllegalArgumentException.class, () -> JsonMatcherTest.schema(schema)).getMessage();
    }

    @Test
    void unsupportedKeywordsAreNamedWithTheirPath() {
        assertEquals("unsupported JSON Schema keyword 'pattern' at #/properties/name (supported: $ref,"
                + " additionalProperties, anyOf, const, enum, items, maxItems, minItems, properties, required, type)",
                error("{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\",\"pattern\":\"^a\"}}}"));
        assertEquals("unsupported JSON Schema keyword 'minimum' at #/items/anyOf/1",
                error("{\"type\":\"array\",\"items\":{\"anyOf\":[{\"type\":\"null\"},"
                        + "{\"type\":\"integer\",\"minimum\":1}]}}").replaceAll(" \\(.*", ""));
        assertEquals("unsupported JSON Schema keyword 'format' at #/$defs/d",
                error("{\"$defs\":{\"d\":{\"type\":\"string\",\"format\":\"date\"}},\"$ref\":\"#/$defs/d\"}")
                        .replaceAll(" \\(.*", ""));
        assertEquals("unsupported JSON Schema keyword 'oneOf' at #", error("{\"oneOf\":[]}").replaceAll(" \\(.*", ""));
    }

    @Test
    void malformedSchemasAreExplained() {
        assertEquals("required property 'b' at # is not in 'properties'",
                error("{\"type\":\"object\",\"properties\":{\"a\":{}},\"required\":[\"b\"]}"));
        assertEquals("'type' at #/properties/a must be one of [array, boolean, integer, null, number, object, string]"
                + " or a list of them, got \"text\"",
                error("{\"properties\":{\"a\":{\"type\":\"text\"}}}"));
        assertEquals("minItems 3 > maxItems 1 at #", error("{\"type\":\"array\",\"minItems\":3,\"maxItems\":1}"));
        assertEquals("'$ref' #/$defs/x at #/$ref points to nothing", error("{\"$ref\":\"#/$defs/x\"}"));
        assertEquals("'$ref' #/$defs/a at #/$defs/a/anyOf/0/$ref refers to itself without an object or array in"
                + " between", error("{\"$defs\":{\"a\":{\"anyOf\":[{\"$ref\":\"#/$defs/a\"},{\"type\":\"null\"}]}},"
                        + "\"$ref\":\"#/$defs/a\"}").replace("at #/$defs/a/anyOf/0/$ref", "at #/$defs/a/anyOf/0/$ref"));
        assertEquals("'enum' value 1 at # is not of type [string]", error("{\"type\":\"string\",\"enum\":[\"a\",1]}"));
        assertEquals("'items' at # does not apply to type 'string'", error("{\"type\":\"string\",\"items\":{}}"));
        assertEquals("'$ref' http://x/s at #/$ref is not supported: only references within the schema"
                + " (#/$defs/..., #/definitions/...)", error("{\"$ref\":\"http://x/s\"}"));
    }

    @Test
    void annotationsAreIgnoredAndPropertiesKeepTheirOrder() {
        SchemaNode node = JsonMatcherTest.schema("""
                {"title":"T","description":"d","type":"object","properties":{"z":{"type":"string","description":"z"},
                 "a":{"const":"x\\"y"}},"required":["a"],"additionalProperties":false}""");
        ObjectValue o = assertInstanceOf(ObjectValue.class, node);
        assertEquals(List.of("\"z\"", "\"a\""), o.keys());
        assertEquals(List.of(false, true), o.required());
        assertEquals(new Literals(List.of("\"x\\\"y\"")), o.values().get(1));
    }
}
