package dev.unicorn.frontend.openai;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import com.fasterxml.jackson.databind.JsonNode;

import dev.unicorn.api.generation.SamplingParameters;

/**
 * The parameters {@code /v1/chat/completions} and {@code /v1/completions} share: sampling, limits, stop strings,
 * choices and streaming. Defaults are OpenAI's (temperature 1, top_p 1, no penalties).
 *
 * @param sampling     the sampling parameters of choice 0 (choice i uses seed + i)
 * @param maxTokens    the most tokens per choice, or -1 for the rest of the context
 * @param stop         stop strings (at most 4)
 * @param n            number of choices (1..8)
 * @param stream       stream the answer as server-sent events
 * @param includeUsage when streaming, end with a chunk holding the usage
 * @param topLogprobs  -1 for no log-probabilities, else the alternatives per token (0..20)
 */
record SamplingOptions(SamplingParameters sampling, int maxTokens, List<String> stop, int n, boolean stream,
        boolean includeUsage, int topLogprobs) {

    /** The fields read here. */
    static final Set<String> FIELDS = Set.of("model", "temperature", "top_p", "top_k", "min_p", "max_tokens", "stop",
            "seed", "presence_penalty", "frequency_penalty", "repetition_penalty", "n", "stream", "stream_options");
    static final int MAX_STOP = 4;
    static final int MAX_N = 8;

    /** Reads the shared fields; {@code maxTokensField} is {@code max_completion_tokens} or {@code max_tokens}. */
    static SamplingOptions read(JsonFields f, long maxTokens, int topLogprobs) {
        double temperature = f.number("temperature", 1.0, 0, false, 2);
        double topP = f.number("top_p", 1.0, 0, true, 1);
        long topK = f.integer("top_k", 0, -1, Integer.MAX_VALUE);
        double minP = f.number("min_p", 0, 0, false, 1);
        double presence = f.number("presence_penalty", 0, -2, false, 2);
        double frequency = f.number("frequency_penalty", 0, -2, false, 2);
        double repetition = f.number("repetition_penalty", 1, 0, true, 2);
        long seed = f.has("seed") ? f.integer("seed", 0, Long.MIN_VALUE, Long.MAX_VALUE)
                : ThreadLocalRandom.current().nextLong();
        int n = (int) f.integer("n", 1, 1, MAX_N);
        boolean stream = f.bool("stream", false);
        boolean includeUsage = false;
        JsonFields streamOptions = f.object("stream_options");
        if (streamOptions != null) {
            streamOptions.checkNames(Set.of("include_usage", "continuous_usage_stats"), Set.of());
            if (!stream) {
                throw ApiException.invalid("stream_options", "stream_options is only allowed with \"stream\": true");
            }
            includeUsage = streamOptions.bool("include_usage", false);
        }
        SamplingParameters sampling = new SamplingParameters((float) temperature, (int) Math.max(0, topK),
                (float) topP, (float) minP, (float) repetition, (float) presence, (float) frequency, seed);
        return new SamplingOptions(sampling, (int) maxTokens, stop(f), n, stream, includeUsage, topLogprobs);
    }

    private static List<String> stop(JsonFields f) {
        JsonNode v = f.get("stop");
        if (v == null) {
            return List.of();
        }
        List<String> stop = new ArrayList<>();
        if (v.isTextual()) {
            stop.add(v.textValue());
        } else if (v.isArray()) {
            if (v.size() > MAX_STOP) {
                throw ApiException.invalid("stop", "stop may hold at most " + MAX_STOP + " strings, got " + v.size());
            }
            for (int i = 0; i < v.size(); i++) {
                if (!v.get(i).isTextual()) {
                    throw ApiException.invalid("stop", "stop[" + i + "] must be a string, got "
                            + JsonFields.kind(v.get(i)));
                }
                stop.add(v.get(i).textValue());
            }
        } else {
            throw f.wrongType("stop", "a string or an array of strings", v);
        }
        for (String s : stop) {
            if (s.isEmpty()) {
                throw ApiException.invalid("stop", "stop strings must not be empty");
            }
        }
        return List.copyOf(stop);
    }

    /** The sampling parameters of choice {@code index}: its own seed, so choices differ and each is reproducible. */
    SamplingParameters samplingOf(int index) {
        return sampling.withSeed(sampling.seed() + index);
    }
}
