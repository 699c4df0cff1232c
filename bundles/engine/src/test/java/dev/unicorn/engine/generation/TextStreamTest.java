package dev.unicorn.engine.generation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;

import org.junit.jupiter.api.Test;

import dev.unicorn.api.text.Tokenizer;

class TextStreamTest {

    /** A test double of the tokenizer seam: id i is the UTF-8 bytes of piece i; decoding concatenates the bytes. */
    private static final class PieceTokenizer implements Tokenizer {
        private final List<byte[]> pieces = new ArrayList<>();

        int id(String text) {
            return id(text.getBytes(StandardCharsets.UTF_8));
        }

        int id(byte... bytes) {
            pieces.add(bytes);
            return pieces.size() - 1;
        }

        @Override
        public int[] encode(String text, boolean addSpecialTokens) {
            throw new UnsupportedOperationException();
        }

        @Override
        public String decode(int[] ids, boolean skipSpecialTokens) {
            var out = new java.io.ByteArrayOutputStream();
            for (int id : ids) {
                out.writeBytes(pieces.get(id));
            }
            // Invalid or incomplete UTF-8 becomes U+FFFD, as in Hugging Face tokenizers.
            return out.toString(StandardCharsets.UTF_8);
        }

        @Override
        public int vocabularySize() {
            return pieces.size();
        }

        @Override
        public OptionalInt tokenId(String token) {
            return OptionalInt.empty();
        }

        @Override
        public void close() {
        }
    }

    private final PieceTokenizer tokenizer = new PieceTokenizer();

    @Test
    void textIsReleasedAsTokensArrive() {
        TextStream s = new TextStream(tokenizer, List.of());
        assertEquals("Hel", s.push(tokenizer.id("Hel")));
        assertEquals("lo", s.push(tokenizer.id("lo")));
        assertEquals(", world", s.push(tokenizer.id(", world")));
        assertEquals("", s.finish());
        assertEquals("Hello, world", s.text());
        assertFalse(s.stopped());
    }

    @Test
    void aStopStringSpanningTwoTokensStopsAndIsCut() {
        TextStream s = new TextStream(tokenizer, List.of("<|end|>"));
        assertEquals("Answer: 4", s.push(tokenizer.id("Answer: 4")));
        assertEquals("", s.push(tokenizer.id("<|e")));
        assertFalse(s.stopped());
        assertEquals("", s.push(tokenizer.id("nd|> and more")));
        assertTrue(s.stopped());
        assertEquals("Answer: 4", s.text());
        assertEquals("", s.finish());
    }

    @Test
    void textBeforeAStopInsideOneTokenIsReleased() {
        TextStream s = new TextStream(tokenizer, List.of("STOP"));
        assertEquals("go ", s.push(tokenizer.id("go ")));
        assertEquals("on ", s.push(tokenizer.id("on STOP here")));
        assertTrue(s.stopped());
        assertEquals("go on ", s.text());
    }

    @Test
    void theEarliestOfSeveralStopStringsWins() {
        TextStream s = new TextStream(tokenizer, List.of("c", "\n\n"));
        s.push(tokenizer.id("ab"));
        assertEquals("", s.push(tokenizer.id("\n\nxc")));
        assertTrue(s.stopped());
        assertEquals("ab", s.text());
    }

    @Test
    void aPartialStopPrefixIsHeldBackThenReleasedWhenItDoesNotComplete() {
        TextStream s = new TextStream(tokenizer, List.of("###"));
        assertEquals("a", s.push(tokenizer.id("a#")));
        assertEquals("", s.push(tokenizer.id("#")));
        assertEquals("##b", s.push(tokenizer.id("b")));
        assertEquals("x", s.push(tokenizer.id("x#")));
        assertEquals("", s.push(tokenizer.id("#")));
        assertFalse(s.stopped());
        assertEquals("##", s.finish());
        assertEquals("a##bx##", s.text());
    }

    @Test
    void aTrailingReplacementCharacterOfIncompleteUtf8IsHeldBack() {
        TextStream s = new TextStream(tokenizer, List.of());
        assertEquals("caf", s.push(tokenizer.id("caf")));
        assertEquals("", s.push(tokenizer.id((byte) 0xC3)));
        assertEquals("é", s.push(tokenizer.id((byte) 0xA9)));
        // A four-byte emoji split over three tokens.
        byte[] smile = "😀".getBytes(StandardCharsets.UTF_8);
        assertEquals("", s.push(tokenizer.id(smile[0], smile[1])));
        assertEquals("", s.push(tokenizer.id(smile[2])));
        assertEquals("😀!", s.push(tokenizer.id(smile[3], (byte) '!')));
        assertEquals("", s.finish());
        assertEquals("café😀!", s.text());
    }

    @Test
    void anIncompleteCharacterAtTheEndIsReleasedByFinish() {
        TextStream s = new TextStream(tokenizer, List.of());
        assertEquals("ok", s.push(tokenizer.id("ok")));
        assertEquals("", s.push(tokenizer.id((byte) 0xE2, (byte) 0x82)));
        assertEquals("\uFFFD", s.finish());
    }

    @Test
    void everyPieceConcatenatedIsTheFinalText() {
        TextStream s = new TextStream(tokenizer, List.of("</s>"));
        StringBuilder streamed = new StringBuilder();
        for (String piece : new String[] {"<", "b>", " <", "/", "p> ", "x <", "/s", ">", "tail"}) {
            streamed.append(s.push(tokenizer.id(piece)));
            if (s.stopped()) {
                break;
            }
        }
        streamed.append(s.finish());
        assertTrue(s.stopped());
        assertEquals("<b> </p> x ", s.text());
        assertEquals(s.text(), streamed.toString());
    }
}
