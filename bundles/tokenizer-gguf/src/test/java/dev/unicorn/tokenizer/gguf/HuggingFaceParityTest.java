package dev.unicorn.tokenizer.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.unicorn.api.text.Tokenizer;

/**
 * Ids and decodings of the tokenizers built from tokenizer-only GGUF files (written by
 * tools/reference/make_gguf_tokenizer_fixtures.py from the real Gemma 3 and Qwen3 tokenizer.json) against those of
 * the Hugging Face tokenizers library, stored in fixtures/tokenizer-gguf/reference.json.
 */
class HuggingFaceParityTest {

    private static final String[] MODELS = {"gemma3", "qwen3"};

    private static JsonNode reference;
    private static Tokenizer gemma3;
    private static Tokenizer qwen3;

    @BeforeAll
    static void open() throws IOException {
        reference = new ObjectMapper().readTree(fixture().toFile());
        Path data = testDataFolder();
        gemma3 = openGguf(data.resolve("gemma3").resolve("tokenizer.gguf"));
        qwen3 = openGguf(data.resolve("qwen3").resolve("tokenizer.gguf"));
    }

    @AfterAll
    static void close() {
        if (gemma3 != null) {
            gemma3.close();
        }
        if (qwen3 != null) {
            qwen3.close();
        }
    }

    static Tokenizer openGguf(Path file) throws IOException {
        Map<String, Object> metadata = GgufMetadataReader.read(file);
        return new GgufTokenizerProvider().open(file, metadata).orElseThrow();
    }

    private static Tokenizer tokenizer(String model) {
        return model.equals("gemma3") ? gemma3 : qwen3;
    }

    @TestFactory
    Stream<DynamicNode> idsAndDecodingMatchHuggingFace() {
        List<DynamicNode> models = new ArrayList<>();
        for (String model : MODELS) {
            List<DynamicNode> cases = new ArrayList<>();
            int index = 0;
            for (JsonNode item : reference.get("models").get(model)) {
                String text = item.get("text").asText();
                String name = "#" + index++ + " " + abbreviate(text);
                cases.add(DynamicContainer.dynamicContainer(name, Stream.of(
                        DynamicTest.dynamicTest("encode with special tokens", () ->
                                assertArrayEquals(ints(item.get("ids")), tokenizer(model).encode(text, true),
                                        () -> "ids of " + quote(text))),
                        DynamicTest.dynamicTest("encode without special tokens", () ->
                                assertArrayEquals(ints(item.get("idsWithoutSpecial")),
                                        tokenizer(model).encode(text, false), () -> "ids of " + quote(text))),
                        DynamicTest.dynamicTest("decode", () ->
                                assertEquals(item.get("decoded").asText(),
                                        tokenizer(model).decode(ints(item.get("ids")), false))),
                        DynamicTest.dynamicTest("decode skipping special tokens", () ->
                                assertEquals(item.get("decodedSkippingSpecial").asText(),
                                        tokenizer(model).decode(ints(item.get("ids")), true))))));
            }
            models.add(DynamicContainer.dynamicContainer(model, cases));
        }
        return models.stream();
    }

    @Test
    void notesReferenceIds() {
        // The reference of /work/shared/NOTES.md, independent of the generated fixture.
        String text = "Hello, world! Wie geht's? 你好";
        assertArrayEquals(new int[] {2, 9259, 236764, 1902, 236888, 33038, 30511, 236789, 236751, 236881, 43758,
                237389}, gemma3.encode(text, true));
        assertArrayEquals(new int[] {9707, 11, 1879, 0, 42616, 39264, 594, 30, 220, 108386}, qwen3.encode(text, true));
    }

    @Test
    void specialTokensAndSizes() {
        assertEquals(OptionalInt.of(106), gemma3.tokenId("<end_of_turn>"));
        assertEquals(OptionalInt.of(151645), qwen3.tokenId("<|im_end|>"));
        assertEquals(OptionalInt.of(9707), qwen3.tokenId("Hello"));
        assertEquals(OptionalInt.empty(), qwen3.tokenId("no such token, surely"));
        // GGUF vocabularies are padded to the embedding's rows (config.json vocab_size).
        assertEquals(262144, gemma3.vocabularySize());
        assertEquals(151936, qwen3.vocabularySize());
        // Padding rows and ids beyond the vocabulary decode to nothing, as HF skips ids it does not know.
        assertEquals("Hello", qwen3.decode(new int[] {151700, 9707, 999_999, -1}, false));
        assertEquals("", gemma3.decode(new int[] {262_144, 300_000}, false));
    }

    @Test
    void longTextRoundTrips() {
        String text = "The quick brown fox jumps over the lazy dog, again and again. 你好 😀\n".repeat(300);
        for (String model : MODELS) {
            int[] ids = tokenizer(model).encode(text, false);
            assertTrue(ids.length > 4_000, model + ": only " + ids.length + " tokens");
            assertEquals(text, tokenizer(model).decode(ids, true), model);
        }
    }

    @Test
    void longPreTokensRoundTrip() {
        // One pre-token each for Qwen (letters, spaces): the merge loop must not be quadratic.
        for (String text : new String[] {"a".repeat(50_000), " ".repeat(50_000) + "x", "ab1".repeat(20_000)}) {
            for (String model : MODELS) {
                assertEquals(text, tokenizer(model).decode(tokenizer(model).encode(text, false), true), model);
            }
        }
    }

    /**
     * The real Gemma 3 270M GGUF (real SentencePiece scores): the default model, which tools/test.sh fetches into
     * ~/.unicorn/models (or UNICORN_MODELS); the test fails when it is missing.
     */
    @Test
    void realGemma3GgufMatchesHuggingFace() throws IOException {
        String configured = System.getenv("UNICORN_MODELS");
        Path models = configured != null ? Path.of(configured) : Path.of(System.getProperty("user.home"), ".unicorn", "models");
        Path file = null;
        if (Files.isDirectory(models)) {
            try (Stream<Path> files = Files.walk(models, 3)) {
                file = files.filter(p -> {
                    String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
                    return name.endsWith(".gguf") && name.contains("gemma") && name.contains("3")
                            && name.contains("270m") && !name.contains("mmproj");
                }).findFirst().orElse(null);
            }
        }
        assertTrue(file != null, "no Gemma 3 270M GGUF in " + models + ": run tools/fetch-default-model.sh");
        List<String> differences = new ArrayList<>();
        try (Tokenizer real = openGguf(file)) {
            for (JsonNode item : reference.get("models").get("gemma3")) {
                String text = item.get("text").asText();
                int[] expected = ints(item.get("idsWithoutSpecial"));
                int[] actual = real.encode(text, false);
                if (!java.util.Arrays.equals(expected, actual)) {
                    differences.add(quote(text) + ": HF " + java.util.Arrays.toString(expected) + ", ours "
                            + java.util.Arrays.toString(actual));
                }
            }
        }
        assertTrue(differences.isEmpty(), file + ":\n" + String.join("\n", differences));
    }

    static int[] ints(JsonNode array) {
        int[] values = new int[array.size()];
        for (int i = 0; i < values.length; i++) {
            values[i] = array.get(i).asInt();
        }
        return values;
    }

    private static String abbreviate(String text) {
        String shown = quote(text);
        return shown.length() > 50 ? shown.substring(0, 47) + "..." : shown;
    }

    private static String quote(String text) {
        return "\"" + text.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t") + "\"";
    }

    /** The committed fixture, or a larger corpus in the same format given as -Dunicorn.tokenizerGgufReference. */
    static Path fixture() {
        String override = System.getProperty("unicorn.tokenizerGgufReference");
        if (override != null && !override.isBlank()) {
            return Path.of(override);
        }
        String root = System.getProperty("unicorn.root");
        Path base = root == null || root.isBlank() ? Path.of("../..") : Path.of(root);
        Path file = base.resolve("fixtures").resolve("tokenizer-gguf").resolve("reference.json");
        if (!Files.isRegularFile(file)) {
            fail("No " + file + ": run tools/reference/make_gguf_tokenizer_fixtures.py");
        }
        return file;
    }

    static Path testDataFolder() {
        String configured = System.getProperty("unicorn.testData");
        if (configured == null || configured.isBlank()) {
            configured = System.getenv("UNICORN_TEST_DATA");
        }
        Path folder = configured == null || configured.isBlank()
                ? Path.of(System.getProperty("user.home"), ".cache", "unicorn", "test-data")
                : Path.of(configured);
        for (String model : MODELS) {
            if (!Files.isRegularFile(folder.resolve(model).resolve("tokenizer.gguf"))) {
                fail("No " + model + "/tokenizer.gguf in " + folder
                        + ": run tools/fetch-test-data.sh (or set -Dunicorn.testData / UNICORN_TEST_DATA)");
            }
        }
        return folder;
    }
}
