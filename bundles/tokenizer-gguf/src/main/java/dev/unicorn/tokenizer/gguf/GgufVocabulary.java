package dev.unicorn.tokenizer.gguf;

import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code tokenizer.ggml.*} metadata of a GGUF file, checked: tokens, their types and scores, merges, special ids and
 * flags. Keys and value types are those llama.cpp's converter writes.
 */
final class GgufVocabulary {

    static final String MODEL = "tokenizer.ggml.model";
    static final String PRE = "tokenizer.ggml.pre";
    static final String TOKENS = "tokenizer.ggml.tokens";
    static final String SCORES = "tokenizer.ggml.scores";
    static final String TOKEN_TYPE = "tokenizer.ggml.token_type";
    static final String MERGES = "tokenizer.ggml.merges";
    static final String BOS = "tokenizer.ggml.bos_token_id";
    static final String EOS = "tokenizer.ggml.eos_token_id";
    static final String UNKNOWN = "tokenizer.ggml.unknown_token_id";
    static final String PADDING = "tokenizer.ggml.padding_token_id";
    static final String ADD_BOS = "tokenizer.ggml.add_bos_token";
    static final String ADD_EOS = "tokenizer.ggml.add_eos_token";
    static final String ADD_SPACE_PREFIX = "tokenizer.ggml.add_space_prefix";

    /** llama.cpp's token types ({@code llama_token_type}). */
    static final int TYPE_NORMAL = 1;
    static final int TYPE_UNKNOWN = 2;
    static final int TYPE_CONTROL = 3;
    static final int TYPE_USER_DEFINED = 4;
    static final int TYPE_UNUSED = 5;
    static final int TYPE_BYTE = 6;

    final Path file;
    final String model;
    final String pre;
    final String[] tokens;
    final int[] types;
    /** Null when the file has no scores (BPE vocabularies). */
    final float[] scores;
    /** Null when the file has no merges (SentencePiece vocabularies). */
    final List<String> merges;
    final int bosId;
    final int eosId;
    final int unknownId;
    final int paddingId;
    final Boolean addBos;
    final Boolean addEos;
    final Boolean addSpacePrefix;
    /** Token text to id; the first id wins when a text repeats. */
    final Map<String, Integer> ids;

    private GgufVocabulary(Path file, Map<String, Object> metadata) {
        this.file = file;
        this.model = string(metadata, MODEL, true);
        this.pre = string(metadata, PRE, false);
        this.tokens = strings(metadata, TOKENS, true).toArray(String[]::new);
        if (tokens.length == 0) {
            throw malformed(TOKENS, "a non-empty list of strings", "an empty list");
        }
        this.types = intArray(metadata, TOKEN_TYPE, tokens.length);
        this.scores = floatArray(metadata, SCORES, tokens.length);
        List<String> mergeList = strings(metadata, MERGES, false);
        this.merges = mergeList;
        this.bosId = tokenId(metadata, BOS);
        this.eosId = tokenId(metadata, EOS);
        this.unknownId = tokenId(metadata, UNKNOWN);
        this.paddingId = tokenId(metadata, PADDING);
        this.addBos = bool(metadata, ADD_BOS);
        this.addEos = bool(metadata, ADD_EOS);
        this.addSpacePrefix = bool(metadata, ADD_SPACE_PREFIX);
        Map<String, Integer> map = HashMap.newHashMap(tokens.length);
        for (int id = 0; id < tokens.length; id++) {
            map.putIfAbsent(tokens[id], id);
        }
        // Not Map.copyOf: its linear probing clusters badly on the small hash codes of short token strings.
        this.ids = Collections.unmodifiableMap(map);
    }

    /** Reads and checks the tokenizer metadata; {@code metadata} must contain {@value #MODEL}. */
    static GgufVocabulary read(Path file, Map<String, Object> metadata) {
        return new GgufVocabulary(file, metadata);
    }

    int size() {
        return tokens.length;
    }

    /** Type of a token; a file without {@value #TOKEN_TYPE} has only normal tokens. */
    int type(int id) {
        return types == null ? TYPE_NORMAL : types[id];
    }

    /** Tokens that are matched as a whole in the text before the rest is tokenized (HF's added tokens). */
    boolean isAddedToken(int id) {
        int type = type(id);
        return type == TYPE_CONTROL || type == TYPE_USER_DEFINED || type == TYPE_UNKNOWN;
    }

    IllegalArgumentException malformed(String key, String expected, String found) {
        return new IllegalArgumentException(
                "Malformed tokenizer metadata in " + file + ": " + key + " must be " + expected + ", found " + found);
    }

    private String string(Map<String, Object> metadata, String key, boolean required) {
        Object value = metadata.get(key);
        if (value == null) {
            if (required) {
                throw malformed(key, "a string", "nothing");
            }
            return null;
        }
        if (value instanceof String s) {
            return s;
        }
        throw malformed(key, "a string", describe(value));
    }

    private List<String> strings(Map<String, Object> metadata, String key, boolean required) {
        Object value = metadata.get(key);
        if (value == null) {
            if (required) {
                throw malformed(key, "a list of strings", "nothing");
            }
            return null;
        }
        if (!(value instanceof List<?> list)) {
            throw malformed(key, "a list of strings", describe(value));
        }
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof String)) {
                throw malformed(key, "a list of strings", describe(list.get(i)) + " at index " + i);
            }
        }
        @SuppressWarnings("unchecked")
        List<String> strings = (List<String>) list;
        return strings;
    }

    private List<?> numbers(Map<String, Object> metadata, String key, int length) {
        Object value = metadata.get(key);
        if (value == null) {
            return null;
        }
        if (!(value instanceof List<?> list)) {
            throw malformed(key, "a list of " + length + " numbers", describe(value));
        }
        if (list.size() != length) {
            throw malformed(key, "a list of " + length + " numbers (one per token of " + TOKENS + ")",
                    list.size() + " elements");
        }
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof Number)) {
                throw malformed(key, "a list of numbers", describe(list.get(i)) + " at index " + i);
            }
        }
        return list;
    }

    private int[] intArray(Map<String, Object> metadata, String key, int length) {
        List<?> list = numbers(metadata, key, length);
        if (list == null) {
            return null;
        }
        int[] values = new int[length];
        for (int i = 0; i < length; i++) {
            values[i] = ((Number) list.get(i)).intValue();
        }
        return values;
    }

    private float[] floatArray(Map<String, Object> metadata, String key, int length) {
        List<?> list = numbers(metadata, key, length);
        if (list == null) {
            return null;
        }
        float[] values = new float[length];
        for (int i = 0; i < length; i++) {
            values[i] = ((Number) list.get(i)).floatValue();
        }
        return values;
    }

    /** An id key: -1 when absent; out of range ids are rejected. */
    private int tokenId(Map<String, Object> metadata, String key) {
        Object value = metadata.get(key);
        if (value == null) {
            return -1;
        }
        if (!(value instanceof Number number) || value instanceof Double || value instanceof Float) {
            throw malformed(key, "an integer token id", describe(value));
        }
        long id = number.longValue();
        if (id < 0 || id >= tokens.length) {
            throw malformed(key, "a token id below " + tokens.length, Long.toString(id));
        }
        return (int) id;
    }

    private Boolean bool(Map<String, Object> metadata, String key) {
        Object value = metadata.get(key);
        if (value == null) {
            return null;
        }
        if (value instanceof Boolean b) {
            return b;
        }
        throw malformed(key, "a boolean", describe(value));
    }

    private static String describe(Object value) {
        String text = String.valueOf(value);
        if (text.length() > 40) {
            text = text.substring(0, 40) + "...";
        }
        return value.getClass().getSimpleName() + " " + text;
    }
}
