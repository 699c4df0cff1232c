package dev.unicorn.tokenizer.gguf;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The byte-level BPE tokenizer of {@code tokenizer.ggml.model = gpt2} (Qwen): NFC, the pre-tokenizer regex of
 * {@code tokenizer.ggml.pre}, GPT-2's byte-to-character mapping, then merges by rank (lowest first, leftmost on ties).
 */
final class ByteLevelBpeTokenizer extends GgufTokenizer {

    /**
     * Qwen2's split regex from its tokenizer.json (llama.cpp's LLAMA_VOCAB_PRE_TYPE_QWEN2). Oniguruma's {@code \s} is
     * Unicode white space; Java needs UNICODE_CHARACTER_CLASS for that (and for Unicode case-insensitivity).
     */
    static final String QWEN2_PATTERN = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    /** Pre-tokenizer names llama.cpp maps to the Qwen2 regex. */
    private static final Map<String, String> PATTERNS = Map.of(
            "qwen2", QWEN2_PATTERN,
            "deepseek-r1-qwen", QWEN2_PATTERN);

    private static final int CACHE_SIZE = 4096;

    private final Pattern split;
    private final char[] byteToChar = new char[256];
    private final int[] charToByte = new int[0x180];
    private final int[] byteTokenIds = new int[256];
    /** {@link #pair} of the left and right ids to merge rank and merged id. */
    private final Map<Long, long[]> merges;
    private final Map<String, int[]> cache = new LinkedHashMap<>(CACHE_SIZE, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, int[]> eldest) {
            return size() > CACHE_SIZE;
        }
    };

    ByteLevelBpeTokenizer(GgufVocabulary vocabulary) {
        super(vocabulary, false);
        String pattern = vocabulary.pre == null ? null : PATTERNS.get(vocabulary.pre);
        if (pattern == null) {
            throw vocabulary.malformed(GgufVocabulary.PRE, "a supported pre-tokenizer " + PATTERNS.keySet(),
                    vocabulary.pre == null ? "nothing" : "'" + vocabulary.pre + "'");
        }
        this.split = Pattern.compile(pattern, Pattern.UNICODE_CHARACTER_CLASS);
        if (vocabulary.merges == null) {
            throw vocabulary.malformed(GgufVocabulary.MERGES, "a list of merges \"a b\" for model 'gpt2'", "nothing");
        }
        buildByteMapping();
        Arrays.fill(byteTokenIds, -1);
        for (int b = 0; b < 256; b++) {
            Integer id = normalId(String.valueOf(byteToChar[b]));
            if (id != null) {
                byteTokenIds[b] = id;
            }
        }
        Map<Long, long[]> map = HashMap.newHashMap(vocabulary.merges.size());
        int rank = 0;
        for (String merge : vocabulary.merges) {
            int space = merge.indexOf(' ', 1);
            if (space < 0) {
                throw vocabulary.malformed(GgufVocabulary.MERGES, "merges of two tokens \"a b\"",
                        "'" + merge + "' at index " + rank);
            }
            String left = merge.substring(0, space);
            String right = merge.substring(space + 1);
            Integer leftId = normalId(left);
            Integer rightId = normalId(right);
            Integer mergedId = normalId(left + right);
            if (leftId != null && rightId != null && mergedId != null) {
                map.putIfAbsent(pair(leftId, rightId), new long[] {rank, mergedId});
            }
            rank++;
        }
        this.merges = map;
    }

    private Integer normalId(String text) {
        Integer id = vocabulary.ids.get(text);
        return id != null && vocabulary.type(id) == GgufVocabulary.TYPE_NORMAL ? id : null;
    }

    /**
     * The key of an id pair. Multiplying by an odd constant is a bijection that spreads the bits: Long.hashCode of the
     * plain (left << 32 | right) is left ^ right, which collides for most merges.
     */
    private static long pair(int left, int right) {
        return (((long) left << 32) | (right & 0xFFFFFFFFL)) * 0x9E3779B97F4A7C15L;
    }

    /** GPT-2's bytes_to_unicode: printable Latin-1 bytes stand for themselves, the rest for U+0100 onwards. */
    private void buildByteMapping() {
        Arrays.fill(charToByte, -1);
        int next = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF);
            char c = printable ? (char) b : (char) (0x100 + next++);
            byteToChar[b] = c;
            charToByte[c] = b;
        }
    }

    @Override
    void encodeText(String raw, boolean afterSpecial, IntList out) {
        String text = Normalizer.normalize(raw, Normalizer.Form.NFC);
        Matcher matcher = split.matcher(text);
        int end = 0;
        while (matcher.find()) {
            if (matcher.start() > end) {
                encodeWord(text.substring(end, matcher.start()), out);
            }
            if (matcher.end() > matcher.start()) {
                encodeWord(matcher.group(), out);
            }
            end = matcher.end();
        }
        if (end < text.length()) {
            encodeWord(text.substring(end), out);
        }
    }

    private void encodeWord(String word, IntList out) {
        int[] ids;
        synchronized (cache) {
            ids = cache.get(word);
        }
        if (ids == null) {
            ids = bpe(word.getBytes(StandardCharsets.UTF_8));
            synchronized (cache) {
                cache.put(word, ids);
            }
        }
        for (int id : ids) {
            out.add(id);
        }
    }

    private record Merge(long rank, int left, int right, int leftId, int rightId, int mergedId) {
    }

    /** Merges the byte tokens of one pre-token, lowest rank first, leftmost on ties (HF's BPE word merge). */
    private int[] bpe(byte[] bytes) {
        int[] ids = new int[bytes.length];
        int n = 0;
        for (byte b : bytes) {
            int id = byteTokenIds[b & 0xFF];
            if (id >= 0) {
                ids[n++] = id;
            } else if (vocabulary.unknownId >= 0) {
                ids[n++] = vocabulary.unknownId;
            }
        }
        if (n < 2) {
            return Arrays.copyOf(ids, n);
        }
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0; i < n; i++) {
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        // A heap keeps long pre-tokens (a run of spaces, a base64 blob) at n log n.
        PriorityQueue<Merge> queue = new PriorityQueue<>(n,
                (a, b) -> a.rank != b.rank ? Long.compare(a.rank, b.rank) : Integer.compare(a.left, b.left));
        for (int i = 0; i + 1 < n; i++) {
            addMerge(ids, i, i + 1, queue);
        }
        int count = n;
        while (!queue.isEmpty()) {
            Merge merge = queue.poll();
            int left = merge.left;
            int right = merge.right;
            if (ids[left] != merge.leftId || ids[right] != merge.rightId || next[left] != right) {
                continue; // stale: a side was merged since this pair was queued
            }
            ids[left] = merge.mergedId;
            ids[right] = -1;
            next[left] = next[right];
            if (next[right] >= 0) {
                prev[next[right]] = left;
            }
            count--;
            if (prev[left] >= 0) {
                addMerge(ids, prev[left], left, queue);
            }
            if (next[left] >= 0) {
                addMerge(ids, left, next[left], queue);
            }
        }
        int[] out = new int[count];
        for (int i = 0, k = 0; i >= 0; i = next[i]) {
            out[k++] = ids[i];
        }
        return out;
    }

    private void addMerge(int[] ids, int left, int right, PriorityQueue<Merge> queue) {
        long[] merge = merges.get(pair(ids[left], ids[right]));
        if (merge != null) {
            queue.add(new Merge(merge[0], left, right, ids[left], ids[right], (int) merge[1]));
        }
    }

    @Override
    String decodeTokens(int[] ids) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(ids.length * 4);
        for (int id : ids) {
            String token = vocabulary.tokens[id];
            byte[] mapped = unmap(token);
            // As HF's ByteLevel decoder: a token with a character outside the mapping is taken as its UTF-8 text.
            bytes.writeBytes(mapped != null ? mapped : token.getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private byte[] unmap(String token) {
        byte[] out = new byte[token.length()];
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            int b = c < charToByte.length ? charToByte[c] : -1;
            if (b < 0) {
                return null;
            }
            out[i] = (byte) b;
        }
        return out;
    }
}
