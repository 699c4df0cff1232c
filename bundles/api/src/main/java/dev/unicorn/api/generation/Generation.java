package dev.unicorn.api.generation;

import java.util.concurrent.CompletionStage;

import org.osgi.annotation.versioning.ProviderType;

/** A generation under way. */
@ProviderType
public interface Generation {

    /** Asks the generation to stop after the current step; it completes with {@link FinishReason#CANCELLED}. */
    void cancel();

    /** Completes with the result, or exceptionally with the error that ended it. */
    CompletionStage<GenerationResult> result();
}
