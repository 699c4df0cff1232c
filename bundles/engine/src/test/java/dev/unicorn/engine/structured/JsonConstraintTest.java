package dev.unicorn.engine.structured;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

/** The trie walk allows exactly the tokens whose text the matcher accepts, token by token. */
class JsonConstraintTest {
    /**
     * Id 0 is a stop token, 1 a special token, 2 a partial UTF-8 piece; then multi-character texts and every printable
     * ASCII character, so that any valid output can be finished, as in a real vocabulary.
     */
    private static final String[] VOCABULARY = withAscii(null, null, null, "{", "}", "{\"", "\"", "\":", "\": ", ",", ", ",
            " ", "\",", "\"}", "\"}}", "name", "na", "me", "age", "tags", "[", "]", "[\"", "\"]", "\"]}", "a", "b",
            "ab", "0", "1", "12", "-", ".", "5", "e", "true", "false", "null", "\\", "\\n", "\\u", "00e9", "hello",
            " world", "é", "😀", "\n", "\t", "x\"y", ":", "{\"name\":", "\"age\":", "\"tags\":", "}\n", "\":\"", "\"name",
            "\"age", "\"tags", "\\\"", "nu", "ll", "arguments", "get_weather", "add", "city", "unit", "celsius",
            "fahrenheit", "Paris", "\"a\":", "\"b\":", "2", "3");

    private static String[] withAscii(String... texts) {
        List<String> all = new ArrayList<>(java.util.Arrays.asList(texts).subList(3, texts.length));
        for (char c = ' '; c < 0x7f; c++) {
            if (!all.contains(String.valueOf(c))) {
                all.add(String.valueOf(c));
            }
        }
        String[] out = new String[all.size() + 3];
        for (int i = 0; i < all.size(); i++) {
            out[i + 3] = all.get(i);
        }
        return out;
    }

    private static final String PERSON = """
            {"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer"},
             "tags":{"type":"array","items":{"enum":["a","b"]}}},
             "required":["name","age","tags"],"additionalProperties":false}""";

    private static boolean[] bruteForce(List<JsonMatcher.Frame> stacks) {
        boolean[] allowed = new boolean[VOCABULARY.length];
        for (int id = 0; id < VOCABULARY.length; id++) {
            allowed[id] = VOCABULARY[id] != null && !JsonMatcher.advance(stacks, VOCABULARY[id]).isEmpty();
        }
        allowed[0] = JsonMatcher.canFinish(stacks);
        return allowed;
    }

    private static void walk(SchemaNode schema, long seed) {
        VocabularyTrie trie = VocabularyTrie.of(VOCABULARY);
        JsonConstraint constraint = new JsonConstraint(schema, trie, Set.of(0));
        List<JsonMatcher.Frame> stacks = JsonMatcher.start(schema);
        Random random = new Random(seed);
        StringBuilder text = new StringBuilder();
        for (int step = 0; step < 60 && !constraint.complete(); step++) {
            float[] logits = new float[VOCABULARY.length + 3]; // padded beyond the tokenizer, as some models are
            constraint.mask(logits);
            boolean[] expected = bruteForce(stacks);
            List<Integer> allowed = new ArrayList<>();
            for (int id = 0; id < logits.length; id++) {
                boolean ok = logits[id] == 0f;
                assertEquals(id < expected.length && expected[id], ok, "token " + id + " after '" + text + "'");
                if (ok) {
                    allowed.add(id);
                }
            }
            assertFalse(allowed.isEmpty(), "nothing allowed after '" + text + "'");
            int id = allowed.get(random.nextInt(allowed.size()));
            constraint.accept(id);
            if (id == 0) {
                assertTrue(constraint.complete());
                break;
            }
            text.append(VOCABULARY[id]);
            stacks = JsonMatcher.advance(stacks, VOCABULARY[id]);
        }
    }

    @Test
    void maskIsTheMatchersVerdictOnEveryToken() {
        for (long seed = 0; seed < 200; seed++) {
            walk(JsonMatcherTest.schema(PERSON), seed);
            walk(JsonMatcherTest.schema(JsonMatcherTest.TOOLS), seed);
            walk(SchemaCompiler.ANY_OBJECT, seed);
            walk(JsonMatcherTest.schema("{\"enum\":[1,12,null]}"), seed);
            walk(JsonMatcherTest.schema("""
                    {"type":"object","properties":{"é":{"enum":["😀","é b"]},"ab":{"type":"string"}},
                     "required":["é"],"additionalProperties":false}"""), seed);
        }
    }

    @Test
    void aTokenTheMaskRefusedIsRefused() {
        JsonConstraint c = new JsonConstraint(JsonMatcherTest.schema(PERSON), VocabularyTrie.of(VOCABULARY), Set.of(0));
        assertThrows(IllegalStateException.class, () -> c.accept(4));
        assertThrows(IllegalStateException.class, () -> c.accept(0));
        c.accept(50); // {"name":
        assertFalse(c.complete());
    }
}
