package dev.unicorn.tokenizer.hf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;

import dev.unicorn.api.text.Tokenizer;

class HfTokenizerProviderTest {

    private static final String TEXT = "Hello, world! Wie geht's? 你好";
    private static final int[] GEMMA3_IDS =
            {2, 9259, 236764, 1902, 236888, 33038, 30511, 236789, 236751, 236881, 43758, 237389};
    private static final int[] QWEN3_IDS = {9707, 11, 1879, 0, 42616, 39264, 594, 30, 220, 108386};

    private static Path testData;
    private static Tokenizer gemma3;
    private static Tokenizer qwen3;

    @BeforeAll
    static void openTokenizers() {
        testData = testDataFolder();
        HfTokenizerProvider provider = new HfTokenizerProvider();
        gemma3 = provider.open(modelFolder("gemma3"), java.util.Map.of()).orElseThrow();
        qwen3 = provider.open(modelFolder("qwen3"), java.util.Map.of()).orElseThrow();
    }

    @AfterAll
    static void closeTokenizers() {
        if (gemma3 != null) {
            gemma3.close();
        }
        if (qwen3 != null) {
            qwen3.close();
        }
    }

    @Test
    void gemma3EncodesLikeHuggingFace() {
        assertArrayEquals(GEMMA3_IDS, gemma3.encode(TEXT, true));
        int[] withoutBos = java.util.Arrays.copyOfRange(GEMMA3_IDS, 1, GEMMA3_IDS.length);
        assertArrayEquals(withoutBos, gemma3.encode(TEXT, false));
    }

    @Test
    void qwen3EncodesLikeHuggingFace() {
        assertArrayEquals(QWEN3_IDS, qwen3.encode(TEXT, true));
        assertArrayEquals(QWEN3_IDS, qwen3.encode(TEXT, false));
    }

    @Test
    void decodeRoundTrips() {
        assertEquals(TEXT, qwen3.decode(QWEN3_IDS, true));
        assertEquals(TEXT, qwen3.decode(QWEN3_IDS, false));
        assertEquals(TEXT, gemma3.decode(GEMMA3_IDS, true));
        assertEquals("<bos>" + TEXT, gemma3.decode(GEMMA3_IDS, false));
    }

    @Test
    void longTextIsNotTruncated() {
        String text = "The quick brown fox jumps over the lazy dog, again and again. ".repeat(200);
        for (Tokenizer tokenizer : new Tokenizer[] {qwen3, gemma3}) {
            int[] ids = tokenizer.encode(text, false);
            assertTrue(ids.length > 2_000, "only " + ids.length + " tokens");
            assertEquals(text, tokenizer.decode(ids, true));
        }
    }

    @Test
    void specialTokensHaveTheirIds() throws IOException {
        int imEnd = addedTokenId("qwen3", "<|im_end|>");
        assertEquals(151645, imEnd);
        assertEquals(OptionalInt.of(imEnd), qwen3.tokenId("<|im_end|>"));
        assertArrayEquals(new int[] {imEnd}, qwen3.encode("<|im_end|>", false));

        int endOfTurn = addedTokenId("gemma3", "<end_of_turn>");
        assertEquals(106, endOfTurn);
        assertEquals(OptionalInt.of(endOfTurn), gemma3.tokenId("<end_of_turn>"));
        assertArrayEquals(new int[] {endOfTurn}, gemma3.encode("<end_of_turn>", false));

        assertEquals(OptionalInt.of(9707), qwen3.tokenId("Hello"));
        assertEquals(OptionalInt.empty(), qwen3.tokenId("no such token, surely"));
    }

    @Test
    void vocabularySizeCountsAddedTokens() {
        // Largest id (an added token in both) + 1; the models' vocab alone is 151643 and 262144.
        assertEquals(151669, qwen3.vocabularySize());
        assertEquals(262145, gemma3.vocabularySize());
    }

    @Test
    void folderWithoutTokenizerJsonIsEmpty(@TempDir Path folder) {
        assertTrue(new HfTokenizerProvider().open(folder, java.util.Map.of()).isEmpty());
        assertTrue(new HfTokenizerProvider().open(folder.resolve("missing"), java.util.Map.of()).isEmpty());
    }

    @Test
    void malformedJsonIsRejectedNamingTheFile(@TempDir Path folder) throws IOException {
        Path file = folder.resolve("tokenizer.json");
        Files.writeString(file, "{\"version\": \"1.0\", \"model\": {\"type\": \"BPE\", \"vocab\": {\"a\": ");
        var e = assertThrows(IllegalArgumentException.class, () -> new HfTokenizerProvider().open(folder, java.util.Map.of()));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    @Test
    void jsonThatIsNoTokenizerIsRejectedNamingTheFile(@TempDir Path folder) throws IOException {
        Path file = folder.resolve("tokenizer.json");
        Files.writeString(file, "{\"model\": {\"type\": \"NoSuchModel\", \"vocab\": {\"a\": 0}}, \"added_tokens\": []}");
        var e = assertThrows(IllegalArgumentException.class, () -> new HfTokenizerProvider().open(folder, java.util.Map.of()));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    }

    private static int addedTokenId(String model, String content) throws IOException {
        try (Reader reader = Files.newBufferedReader(modelFolder(model).resolve("tokenizer.json"),
                StandardCharsets.UTF_8)) {
            for (JsonElement token : JsonParser.parseReader(reader).getAsJsonObject().getAsJsonArray("added_tokens")) {
                if (token.getAsJsonObject().get("content").getAsString().equals(content)) {
                    return token.getAsJsonObject().get("id").getAsInt();
                }
            }
        }
        throw new AssertionError(content + " is not among " + model + "'s added_tokens");
    }

    private static Path modelFolder(String model) {
        return testData.resolve(model);
    }

    private static Path testDataFolder() {
        String configured = System.getProperty("unicorn.testData");
        if (configured == null || configured.isBlank()) {
            configured = System.getenv("UNICORN_TEST_DATA");
        }
        Path folder = configured == null || configured.isBlank()
                ? Path.of(System.getProperty("user.home"), ".cache", "unicorn", "test-data")
                : Path.of(configured);
        for (String model : new String[] {"gemma3", "qwen3"}) {
            if (!Files.isRegularFile(folder.resolve(model).resolve("tokenizer.json"))) {
                fail("No " + model + "/tokenizer.json in " + folder
                        + ": run tools/fetch-test-data.sh (or set -Dunicorn.testData / UNICORN_TEST_DATA)");
            }
        }
        return folder;
    }
}
