package dev.unicorn.tokenizer.hf;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;

import com.google.gson.JsonParseException;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;

/**
 * The token strings and ids of a {@code tokenizer.json}: the model's vocabulary plus the added (special) tokens,
 * which DJL does not expose.
 */
final class TokenizerVocabulary {

    private final Map<String, Integer> ids;
    private final int size;

    private TokenizerVocabulary(Map<String, Integer> ids, int size) {
        this.ids = ids;
        this.size = size;
    }

    /** Number of ids: the largest id over vocabulary and added tokens, plus one. */
    int size() {
        return size;
    }

    OptionalInt id(String token) {
        Integer id = ids.get(token);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    static TokenizerVocabulary read(Path file) {
        Map<String, Integer> ids = new HashMap<>();
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8);
                JsonReader json = new JsonReader(reader)) {
            json.beginObject();
            while (json.hasNext()) {
                switch (json.nextName()) {
                    case "model" -> readModel(json, ids);
                    case "added_tokens" -> readAddedTokens(json, ids);
                    default -> json.skipValue();
                }
            }
            json.endObject();
        } catch (IOException | JsonParseException | IllegalStateException | NumberFormatException e) {
            throw new IllegalArgumentException("Malformed tokenizer file " + file + ": " + e.getMessage(), e);
        }
        if (ids.isEmpty()) {
            throw new IllegalArgumentException(
                    "Malformed tokenizer file " + file + ": no model.vocab and no added_tokens");
        }
        int maxId = ids.values().stream().mapToInt(Integer::intValue).max().orElseThrow();
        return new TokenizerVocabulary(Collections.unmodifiableMap(ids), maxId + 1);
    }

    private static void readModel(JsonReader json, Map<String, Integer> ids) throws IOException {
        json.beginObject();
        while (json.hasNext()) {
            if (json.nextName().equals("vocab")) {
                readVocab(json, ids);
            } else {
                json.skipValue();
            }
        }
        json.endObject();
    }

    /** BPE, WordPiece and WordLevel store {"token": id}; Unigram stores [["token", score], ...] with ids by position. */
    private static void readVocab(JsonReader json, Map<String, Integer> ids) throws IOException {
        if (json.peek() == JsonToken.BEGIN_OBJECT) {
            json.beginObject();
            while (json.hasNext()) {
                ids.put(json.nextName(), json.nextInt());
            }
            json.endObject();
        } else {
            json.beginArray();
            for (int id = 0; json.hasNext(); id++) {
                json.beginArray();
                ids.putIfAbsent(json.nextString(), id);
                while (json.hasNext()) {
                    json.skipValue();
                }
                json.endArray();
            }
            json.endArray();
        }
    }

    private static void readAddedTokens(JsonReader json, Map<String, Integer> ids) throws IOException {
        json.beginArray();
        while (json.hasNext()) {
            String content = null;
            int id = -1;
            json.beginObject();
            while (json.hasNext()) {
                switch (json.nextName()) {
                    case "id" -> id = json.nextInt();
                    case "content" -> content = json.nextString();
                    default -> json.skipValue();
                }
            }
            json.endObject();
            if (content == null || id < 0) {
                throw new IllegalStateException("an added token lacks its id or content");
            }
            ids.put(content, id);
        }
        json.endArray();
    }
}
