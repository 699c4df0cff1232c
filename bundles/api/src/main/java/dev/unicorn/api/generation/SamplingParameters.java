package dev.unicorn.api.generation;

/**
 * How the next token is chosen from the logits. Defaults follow transformers: no penalty is 1.0 for repetition
 * and 0 for presence and frequency; 0 disables top-k and min-p; 1 disables top-p.
 *
 * @param temperature       0 for greedy (argmax)
 * @param topK              keep the k most likely tokens; 0 keeps all
 * @param topP              keep the smallest set whose probability reaches p; 1 keeps all
 * @param minP              drop tokens less likely than minP × the most likely; 0 keeps all
 * @param repetitionPenalty divides positive (multiplies negative) logits of tokens already seen; 1 for none
 * @param presencePenalty   subtracted once from the logit of every token already generated
 * @param frequencyPenalty  subtracted per occurrence from the logit of every token already generated
 * @param seed              seed of the random draw: the same seed gives the same output
 */
public record SamplingParameters(float temperature, int topK, float topP, float minP, float repetitionPenalty,
        float presencePenalty, float frequencyPenalty, long seed) {

    /** Greedy decoding. */
    public static final SamplingParameters GREEDY = new SamplingParameters(0f, 0, 1f, 0f, 1f, 0f, 0f, 0L);

    public SamplingParameters {
        check(temperature >= 0 && Float.isFinite(temperature), "temperature must be >= 0, got " + temperature);
        check(topK >= 0, "top_k must be >= 0, got " + topK);
        check(topP > 0 && topP <= 1, "top_p must be in (0, 1], got " + topP);
        check(minP >= 0 && minP <= 1, "min_p must be in [0, 1], got " + minP);
        check(repetitionPenalty > 0 && Float.isFinite(repetitionPenalty),
                "repetition_penalty must be > 0, got " + repetitionPenalty);
        check(Float.isFinite(presencePenalty), "presence_penalty must be finite");
        check(Float.isFinite(frequencyPenalty), "frequency_penalty must be finite");
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** A copy with another temperature. */
    public SamplingParameters withTemperature(float t) {
        return new SamplingParameters(t, topK, topP, minP, repetitionPenalty, presencePenalty, frequencyPenalty, seed);
    }

    /** A copy with another seed. */
    public SamplingParameters withSeed(long s) {
        return new SamplingParameters(temperature, topK, topP, minP, repetitionPenalty, presencePenalty,
                frequencyPenalty, s);
    }
}
