package dev.unicorn.frontend.chat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import dev.unicorn.api.generation.SamplingParameters;

/**
 * The sampling settings and answer length of a chat, changed by command-line options and {@code /set NAME VALUE}.
 * Every change is checked at once, so a bad value never reaches a generation.
 */
final class ChatSettings {
    /** The names {@code /set} and the command-line options accept, in the order {@code /set} lists them. */
    static final List<String> NAMES = List.of("temperature", "top-k", "top-p", "min-p", "repetition-penalty",
            "presence-penalty", "frequency-penalty", "seed", "max-tokens");

    private SamplingParameters sampling = new SamplingParameters(0.8f, 40, 0.95f, 0.05f, 1f, 0f, 0f, 0L);
    /** Null: a new time-based seed for every answer. */
    private Long seed;
    private int maxTokens = 512;

    /**
     * Sets one setting from text.
     *
     * @throws IllegalArgumentException naming the setting and what it accepts
     */
    void set(String name, String value) {
        String key = name.toLowerCase(Locale.ROOT).replace('_', '-');
        String v = value.strip();
        SamplingParameters s = sampling;
        switch (key) {
            case "temperature" -> sampling = checked(key, () -> new SamplingParameters(number(key, v), s.topK(),
                    s.topP(), s.minP(), s.repetitionPenalty(), s.presencePenalty(), s.frequencyPenalty(), 0L));
            case "top-k" -> sampling = checked(key, () -> new SamplingParameters(s.temperature(), integer(key, v),
                    s.topP(), s.minP(), s.repetitionPenalty(), s.presencePenalty(), s.frequencyPenalty(), 0L));
            case "top-p" -> sampling = checked(key, () -> new SamplingParameters(s.temperature(), s.topK(),
                    number(key, v), s.minP(), s.repetitionPenalty(), s.presencePenalty(), s.frequencyPenalty(), 0L));
            case "min-p" -> sampling = checked(key, () -> new SamplingParameters(s.temperature(), s.topK(), s.topP(),
                    number(key, v), s.repetitionPenalty(), s.presencePenalty(), s.frequencyPenalty(), 0L));
            case "repetition-penalty" -> sampling = checked(key, () -> new SamplingParameters(s.temperature(),
                    s.topK(), s.topP(), s.minP(), number(key, v), s.presencePenalty(), s.frequencyPenalty(), 0L));
            case "presence-penalty" -> sampling = checked(key, () -> new SamplingParameters(s.temperature(),
                    s.topK(), s.topP(), s.minP(), s.repetitionPenalty(), number(key, v), s.frequencyPenalty(), 0L));
            case "frequency-penalty" -> sampling = checked(key, () -> new SamplingParameters(s.temperature(),
                    s.topK(), s.topP(), s.minP(), s.repetitionPenalty(), s.presencePenalty(), number(key, v), 0L));
            case "seed" -> seed = v.equalsIgnoreCase("random") ? null : longValue(key, v);
            case "max-tokens" -> {
                int n = integer(key, v);
                if (n < 1) {
                    throw new IllegalArgumentException("max-tokens must be >= 1, got " + n);
                }
                maxTokens = n;
            }
            default -> throw new IllegalArgumentException("unknown setting '" + name + "'; settings: "
                    + String.join(", ", NAMES));
        }
    }

    /** The parameters of the next answer (a fresh seed each time unless one was set). */
    SamplingParameters sampling() {
        return sampling.withSeed(seed != null ? seed : System.nanoTime());
    }

    int maxTokens() {
        return maxTokens;
    }

    /** Every setting with its value, in {@link #NAMES} order. */
    Map<String, String> values() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("temperature", fmt(sampling.temperature()));
        m.put("top-k", Integer.toString(sampling.topK()));
        m.put("top-p", fmt(sampling.topP()));
        m.put("min-p", fmt(sampling.minP()));
        m.put("repetition-penalty", fmt(sampling.repetitionPenalty()));
        m.put("presence-penalty", fmt(sampling.presencePenalty()));
        m.put("frequency-penalty", fmt(sampling.frequencyPenalty()));
        m.put("seed", seed == null ? "random" : seed.toString());
        m.put("max-tokens", Integer.toString(maxTokens));
        return m;
    }

    private static String fmt(float f) {
        return f == Math.rint(f) ? Integer.toString((int) f) : Float.toString(f);
    }

    private static SamplingParameters checked(String name, java.util.function.Supplier<SamplingParameters> next) {
        try {
            return next.get();
        } catch (IllegalArgumentException e) {
            // The record names fields as the OpenAI API does (top_k); the chat says top-k.
            String message = e.getMessage();
            throw new IllegalArgumentException(message.startsWith(name.replace('-', '_'))
                    ? name + message.substring(name.length()) : message);
        }
    }

    private static float number(String name, String v) {
        try {
            float f = Float.parseFloat(v);
            if (Float.isFinite(f)) {
                return f;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + " expects a number, got '" + v + "'");
    }

    private static int integer(String name, String v) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " expects an integer, got '" + v + "'");
        }
    }

    private static long longValue(String name, String v) {
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " expects an integer or 'random', got '" + v + "'");
        }
    }
}
