package dev.unicorn.api.generation;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Restricts which tokens a generation may produce next (constrained decoding: JSON output, forced tool calls).
 * Stateful: one per generation. While the constraint is not {@linkplain #complete() complete}, the model's stop
 * tokens end generation only when {@link #mask} leaves them allowed.
 */
@ConsumerType
public interface TokenConstraint {

    /** Sets to negative infinity the logits of every token not allowed next. */
    void mask(float[] logits);

    /** Advances past the token that was chosen. */
    void accept(int tokenId);

    /** True once the output is complete: the generation then ends with {@link FinishReason#STOP}. */
    boolean complete();
}
