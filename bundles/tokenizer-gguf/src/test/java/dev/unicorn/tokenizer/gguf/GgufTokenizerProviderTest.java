package dev.unicorn.tokenizer.gguf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.unicorn.api.text.Tokenizer;

/** Metadata checks and the rules that come from the metadata, on small made-up vocabularies. */
class GgufTokenizerProviderTest {

    private static final Path FILE = Path.of("/models/made-up.gguf");
    private final GgufTokenizerProvider provider = new GgufTokenizerProvider();

    /** A SentencePiece vocabulary: ▁, a, b, ▁a, ab, ▁ab, specials, and byte tokens for 0xC3 and 0xA9 (é). */
    private static Map<String, Object> sentencePiece() {
        Map<String, Object> metadata = new HashMap<>();
        metadata.put("tokenizer.ggml.model", "llama");
        metadata.put("tokenizer.ggml.tokens",
                List.of("<unk>", "<s>", "</s>", "\u2581", "a", "b", "\u2581a", "ab", "\u2581ab", "<0xC3>", "<0xA9>",
                        "<ctl>", "[PAD12]"));
        metadata.put("tokenizer.ggml.scores",
                List.of(0.0, 0.0, 0.0, -1.0, -2.0, -3.0, -4.0, -5.0, -6.0, 0.0, 0.0, -1000.0, -1000.0));
        metadata.put("tokenizer.ggml.token_type", List.of(2L, 3L, 3L, 1L, 1L, 1L, 1L, 1L, 1L, 6L, 6L, 3L, 5L));
        metadata.put("tokenizer.ggml.bos_token_id", 1L);
        metadata.put("tokenizer.ggml.eos_token_id", 2L);
        metadata.put("tokenizer.ggml.unknown_token_id", 0L);
        return metadata;
    }

    private static Map<String, Object> bytePairs() {
        Map<String, Object> metadata = new HashMap<>();
        List<String> tokens = new ArrayList<>();
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            tokens.add(printable ? String.valueOf((char) b) : "?" + b); // only the printable ones are used below
        }
        tokens.add("ab");
        tokens.add("<|end|>");
        List<Long> types = new ArrayList<>();
        for (int i = 0; i < 257; i++) {
            types.add(1L);
        }
        types.add(3L);
        metadata.put("tokenizer.ggml.model", "gpt2");
        metadata.put("tokenizer.ggml.pre", "qwen2");
        metadata.put("tokenizer.ggml.tokens", tokens);
        metadata.put("tokenizer.ggml.token_type", types);
        metadata.put("tokenizer.ggml.merges", List.of("a b"));
        return metadata;
    }

    private Tokenizer open(Map<String, Object> metadata) {
        return provider.open(FILE, metadata).orElseThrow();
    }

    @Test
    void metadataWithoutTokenizerIsEmpty() {
        assertTrue(provider.open(FILE, Map.of()).isEmpty());
        assertTrue(provider.open(FILE, Map.of("general.architecture", "gemma3")).isEmpty());
        assertTrue(provider.open(FILE, Map.of("tokenizer.ggml.model", "none")).isEmpty());
    }

    @Test
    void sentencePieceMergesByScoreAndFallsBackToBytes() {
        Map<String, Object> metadata = sentencePiece();
        try (Tokenizer tokenizer = open(metadata)) {
            // add_space_prefix defaults to true for model llama, as in llama.cpp; add_bos to true.
            assertArrayEquals(new int[] {1, 8, 3, 9, 10}, tokenizer.encode("ab é", true));
            assertArrayEquals(new int[] {8, 3, 9, 10}, tokenizer.encode("ab é", false));
            // llama.cpp also prefixes the text after a special token with a space.
            assertArrayEquals(new int[] {8, 11, 6}, tokenizer.encode("ab<ctl>a", false));
            assertEquals(" ab é", tokenizer.decode(new int[] {1, 8, 3, 9, 10}, true));
            assertEquals("<s> ab é", tokenizer.decode(new int[] {1, 8, 3, 9, 10, 12, 99}, false));
            // A byte run that is no UTF-8 decodes to one U+FFFD per byte, as HF's ByteFallback decoder does.
            assertEquals("\uFFFD\uFFFDa", tokenizer.decode(new int[] {10, 10, 4}, false));
            assertEquals(13, tokenizer.vocabularySize());
        }
        metadata.put("tokenizer.ggml.add_space_prefix", false);
        metadata.put("tokenizer.ggml.add_bos_token", false);
        metadata.put("tokenizer.ggml.add_eos_token", true);
        try (Tokenizer tokenizer = open(metadata)) {
            assertArrayEquals(new int[] {7, 2}, tokenizer.encode("ab", true));
            assertArrayEquals(new int[] {7}, tokenizer.encode("ab", false));
            assertArrayEquals(new int[] {2}, tokenizer.encode("", true));
        }
    }

    @Test
    void bytePairsMergeByRankWithoutBos() {
        try (Tokenizer tokenizer = open(bytePairs())) {
            assertArrayEquals(new int[] {256, 'b', 257, 'a'}, tokenizer.encode("abb<|end|>a", true));
            assertEquals("abb<|end|>a", tokenizer.decode(new int[] {256, 'b', 257, 'a'}, false));
            assertEquals("abba", tokenizer.decode(new int[] {256, 'b', 257, 'a'}, true));
        }
    }

    @Test
    void unknownModelTypeNamesFileAndKey() {
        Map<String, Object> metadata = sentencePiece();
        metadata.put("tokenizer.ggml.model", "bert");
        assertMalformed(metadata, "tokenizer.ggml.model", "bert");
    }

    @Test
    void missingOrMistypedTokensAreRejected() {
        Map<String, Object> metadata = sentencePiece();
        metadata.remove("tokenizer.ggml.tokens");
        assertMalformed(metadata, "tokenizer.ggml.tokens", "nothing");
        metadata.put("tokenizer.ggml.tokens", "abc");
        assertMalformed(metadata, "tokenizer.ggml.tokens", "String");
        metadata.put("tokenizer.ggml.tokens", List.of("a", 2L));
        assertMalformed(metadata, "tokenizer.ggml.tokens", "index 1");
        metadata.put("tokenizer.ggml.tokens", List.of());
        assertMalformed(metadata, "tokenizer.ggml.tokens", "empty");
    }

    @Test
    void scoresAndTypesMustHaveOneElementPerToken() {
        Map<String, Object> metadata = sentencePiece();
        metadata.put("tokenizer.ggml.scores", List.of(0.0, 1.0));
        assertMalformed(metadata, "tokenizer.ggml.scores", "2 elements");
        metadata.remove("tokenizer.ggml.scores");
        assertMalformed(metadata, "tokenizer.ggml.scores", "nothing");
        metadata = sentencePiece();
        metadata.put("tokenizer.ggml.token_type", List.of("normal"));
        assertMalformed(metadata, "tokenizer.ggml.token_type", "1 elements");
    }

    @Test
    void specialIdsAndFlagsAreChecked() {
        Map<String, Object> metadata = sentencePiece();
        metadata.put("tokenizer.ggml.bos_token_id", 99L);
        assertMalformed(metadata, "tokenizer.ggml.bos_token_id", "99");
        metadata = sentencePiece();
        metadata.put("tokenizer.ggml.add_bos_token", "yes");
        assertMalformed(metadata, "tokenizer.ggml.add_bos_token", "yes");
    }

    @Test
    void bytePairsNeedMergesAndAKnownPreTokenizer() {
        Map<String, Object> metadata = bytePairs();
        metadata.remove("tokenizer.ggml.merges");
        assertMalformed(metadata, "tokenizer.ggml.merges", "nothing");
        metadata = bytePairs();
        metadata.put("tokenizer.ggml.pre", "falcon");
        assertMalformed(metadata, "tokenizer.ggml.pre", "falcon");
        metadata = bytePairs();
        metadata.put("tokenizer.ggml.merges", List.of("ab"));
        assertMalformed(metadata, "tokenizer.ggml.merges", "'ab'");
    }

    private void assertMalformed(Map<String, Object> metadata, String key, String found) {
        var e = assertThrows(IllegalArgumentException.class, () -> provider.open(FILE, metadata));
        assertTrue(e.getMessage().contains(FILE.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(key), e.getMessage());
        assertTrue(e.getMessage().contains(found), e.getMessage());
    }
}
