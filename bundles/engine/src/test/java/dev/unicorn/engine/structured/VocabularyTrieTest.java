package dev.unicorn.engine.structured;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.OptionalInt;

import org.junit.jupiter.api.Test;

import dev.unicorn.api.text.Tokenizer;

class VocabularyTrieTest {

    /**
     * A SentencePiece-like tokenizer: "▁" is a space that the decoder drops at the start of the text, "<0xE2>" a byte
     * (part of a UTF-8 character on its own), "<eos>" a special token.
     */
    private static final class PieceTokenizer implements Tokenizer {
        static final List<String> PIECES = List.of("<eos>", "{", "▁name", "▁", "<0xE2>", "<0x82>", "<0xAC>", "\"",
                "é");

        @Override
        public int[] encode(String text, boolean addSpecialTokens) {
            return text.equals("{") ? new int[] {1} : new int[0];
        }

        @Override
        public String decode(int[] ids, boolean skipSpecialTokens) {
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            for (int id : ids) {
                String p = PIECES.get(id);
                if (p.equals("<eos>")) {
                    continue;
                }
                if (p.startsWith("<0x")) {
                    bytes.write(Integer.parseInt(p.substring(3, 5), 16));
                } else {
                    bytes.writeBytes(p.replace('▁', ' ').getBytes(StandardCharsets.UTF_8));
                }
            }
            String text = bytes.toString(StandardCharsets.UTF_8);
            return text.startsWith(" ") ? text.substring(1) : text;
        }

        @Override
        public int vocabularySize() {
            return PIECES.size();
        }

        @Override
        public OptionalInt tokenId(String token) {
            return OptionalInt.empty();
        }

        @Override
        public void close() {
        }
    }

    @Test
    void tokenTextsKeepLeadingSpacesAndLeaveOutSpecialAndPartialTokens() {
        String[] texts = VocabularyTrie.tokenTexts(new PieceTokenizer(), PieceTokenizer.PIECES.size());
        assertArrayEquals(new String[] {null, "{", " name", " ", null, null, null, "\"", "é"}, texts);
    }

    @Test
    void trieHoldsEveryTokenInTextOrder() {
        VocabularyTrie trie = VocabularyTrie.of(new String[] {"ab", null, "a", "b", "abc", "ab", "\"x"});
        assertEquals("\"xabcb", new String(trie.character)); // nodes ", "x, a, ab, abc, b in depth-first order
        assertArrayEquals(new int[] {0, 1, 0, 1, 2, 0}, trie.depth);
        assertArrayEquals(new int[] {6, 2, 0, 5, 4, 3}, trie.order); // "x, a, ab, ab, abc, b
        assertArrayEquals(new int[] {2, 2, 5, 5, 5, 6}, trie.subtreeEnd);
        assertArrayEquals(new int[] {0, 0, 1, 2, 4, 5}, trie.tokenStart);
        assertArrayEquals(new int[] {0, 1, 2, 4, 5, 6}, trie.tokenEndHere);
        assertArrayEquals(new int[] {1, 1, 5, 5, 5, 6}, trie.subtreeTokenEnd);
        assertArrayEquals(new boolean[] {false, true, true, true, true, true}, trie.plainSubtree);
        assertEquals(3, trie.maxLength);
    }
}
