package dev.unicorn.api.generation;

import org.osgi.annotation.versioning.ProviderType;

/** Picks the next token of one sequence. Stateful (random stream, token counts): one per sequence. */
@ProviderType
public interface Sampler {

    /**
     * Chooses a token; {@code logits} may be modified in place.
     *
     * @param history the ids so far (prompt and generated), {@code history[0 .. length)}
     * @param generatedFrom index in {@code history} where generated tokens start (presence and frequency
     *                      penalties count only those)
     */
    int sample(float[] logits, int[] history, int length, int generatedFrom);
}
