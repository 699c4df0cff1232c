package dev.unicorn.tokenizer.gguf;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The SentencePiece-style tokenizer of {@code tokenizer.ggml.model = llama} (Gemma): spaces become {@code ▁}, then
 * adjacent pieces are merged, best-scoring merged piece first (leftmost on ties), as llama.cpp's
 * {@code llm_tokenizer_spm} does; characters missing from the vocabulary fall back to {@code <0xXX>} byte tokens.
 */
final class SentencePieceTokenizer extends GgufTokenizer {

    private static final char SPACE_MARK = '\u2581';
    /**
     * Merge priority of user-defined pieces (runs of ▁), above every score: HF's tokenizer.json lists their merges
     * first, longest run first.
     */
    private static final double USER_DEFINED_PRIORITY = 1e12;

    /** Pieces merges may produce: normal and user-defined tokens, the latter with their spaces as {@code ▁} again. */
    private final Map<String, Integer> pieces;
    private final int[] byteIds = new int[256];
    private final boolean addSpacePrefix;

    SentencePieceTokenizer(GgufVocabulary vocabulary) {
        super(vocabulary, true);
        if (vocabulary.scores == null) {
            throw vocabulary.malformed(GgufVocabulary.SCORES, "a list of one score per token for model 'llama'",
                    "nothing");
        }
        this.addSpacePrefix = vocabulary.addSpacePrefix == null || vocabulary.addSpacePrefix;
        Arrays.fill(byteIds, -1);
        Map<String, Integer> map = HashMap.newHashMap(vocabulary.size());
        for (int id = 0; id < vocabulary.size(); id++) {
            String text = vocabulary.tokens[id];
            switch (vocabulary.type(id)) {
                case GgufVocabulary.TYPE_NORMAL -> map.putIfAbsent(text, id);
                // The converter writes user-defined pieces with spaces; the model saw them with ▁.
                case GgufVocabulary.TYPE_USER_DEFINED -> map.putIfAbsent(text.replace(' ', SPACE_MARK), id);
                case GgufVocabulary.TYPE_BYTE -> {
                    int value = byteValue(text);
                    if (value >= 0 && byteIds[value] < 0) {
                        byteIds[value] = id;
                    }
                }
                default -> {
                }
            }
        }
        this.pieces = map;
    }

    /**
     * User-defined pieces with spaces (Gemma's runs of ▁, which the converter writes with spaces) are matched by their
     * ▁ form, as HF's added token "▁▁" is: raw spaces never match it, they become ▁ and merge into the run instead.
     */
    @Override
    String matchedText(int id) {
        String text = super.matchedText(id);
        return text != null && vocabulary.type(id) == GgufVocabulary.TYPE_USER_DEFINED
                ? text.replace(' ', SPACE_MARK) : text;
    }

    /** 0-255 for {@code <0xXX>}, else -1. */
    private static int byteValue(String text) {
        if (text.length() != 6 || !text.startsWith("<0x") || text.charAt(5) != '>') {
            return -1;
        }
        int high = Character.digit(text.charAt(3), 16);
        int low = Character.digit(text.charAt(4), 16);
        return high < 0 || low < 0 ? -1 : high * 16 + low;
    }

    private record Bigram(int left, int right, double score, int length) {
    }

    @Override
    void encodeText(String raw, boolean afterSpecial, IntList out) {
        String text = (addSpacePrefix && afterSpecial ? " " + raw : raw).replace(' ', SPACE_MARK);
        int n = text.codePointCount(0, text.length());
        int[] start = new int[n];
        int[] length = new int[n];
        int[] prev = new int[n];
        int[] next = new int[n];
        // A character the vocabulary lacks becomes byte tokens and never merges, as in HF's BPE with byte fallback.
        boolean[] mergeable = new boolean[n];
        for (int i = 0, offset = 0; i < n; i++) {
            int width = Character.charCount(text.codePointAt(offset));
            start[i] = offset;
            length[i] = width;
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
            mergeable[i] = pieces.containsKey(text.substring(offset, offset + width));
            offset += width;
        }
        PriorityQueue<Bigram> queue = new PriorityQueue<>(Math.max(1, n),
                (a, b) -> a.score != b.score ? Double.compare(b.score, a.score) : Integer.compare(a.left, b.left));
        for (int i = 1; i < n; i++) {
            addBigram(text, i - 1, i, start, length, mergeable, queue);
        }
        while (!queue.isEmpty()) {
            Bigram bigram = queue.poll();
            int left = bigram.left;
            int right = bigram.right;
            if (length[left] == 0 || length[right] == 0 || length[left] + length[right] != bigram.length) {
                continue; // one side was merged elsewhere since this bigram was queued
            }
            length[left] += length[right];
            length[right] = 0;
            next[left] = next[right];
            if (next[right] >= 0) {
                prev[next[right]] = left;
            }
            addBigram(text, prev[left], left, start, length, mergeable, queue);
            addBigram(text, left, next[left], start, length, mergeable, queue);
        }
        for (int i = n > 0 ? 0 : -1; i >= 0; i = next[i]) {
            String piece = text.substring(start[i], start[i] + length[i]);
            Integer id = mergeable[i] ? pieces.get(piece) : null;
            if (id != null) {
                out.add(id);
                continue;
            }
            for (byte b : piece.getBytes(StandardCharsets.UTF_8)) {
                int byteId = byteIds[b & 0xFF];
                if (byteId >= 0) {
                    out.add(byteId);
                } else if (vocabulary.unknownId >= 0) {
                    out.add(vocabulary.unknownId);
                    break;
                }
            }
        }
    }

    private void addBigram(String text, int left, int right, int[] start, int[] length, boolean[] mergeable,
            PriorityQueue<Bigram> queue) {
        if (left < 0 || right < 0 || !mergeable[left] || !mergeable[right]) {
            return;
        }
        int size = length[left] + length[right];
        Integer id = pieces.get(text.substring(start[left], start[left] + size));
        if (id != null) {
            double score = vocabulary.type(id) == GgufVocabulary.TYPE_USER_DEFINED
                    ? USER_DEFINED_PRIORITY + size : vocabulary.scores[id];
            queue.add(new Bigram(left, right, score, size));
        }
    }

    @Override
    String decodeTokens(int[] ids) {
        StringBuilder text = new StringBuilder(ids.length * 4);
        ByteArrayOutputStream pendingBytes = new ByteArrayOutputStream();
        for (int id : ids) {
            if (vocabulary.type(id) == GgufVocabulary.TYPE_BYTE && byteValue(vocabulary.tokens[id]) >= 0) {
                pendingBytes.write(byteValue(vocabulary.tokens[id]));
                continue;
            }
            flushBytes(pendingBytes, text);
            text.append(vocabulary.tokens[id].replace(SPACE_MARK, ' '));
        }
        flushBytes(pendingBytes, text);
        return text.toString();
    }

    /** Like HF's ByteFallback decoder: a run of byte tokens that is no valid UTF-8 becomes one U+FFFD per byte. */
    private static void flushBytes(ByteArrayOutputStream bytes, StringBuilder text) {
        if (bytes.size() == 0) {
            return;
        }
        byte[] run = bytes.toByteArray();
        bytes.reset();
        try {
            text.append(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(run)));
        } catch (CharacterCodingException e) {
            text.append("\uFFFD".repeat(run.length));
        }
    }
}
