package dev.unicorn.api.generation;

import org.osgi.annotation.versioning.ProviderType;

import dev.unicorn.api.model.Model;

/** Generates tokens from a loaded model, streaming them to a listener. */
@ProviderType
public interface GenerationService {

    /**
     * Queues a generation. Generations of one model run together: each step decodes every running sequence of the
     * model in one batched forward pass (continuous batching); a request waits for a free slot when all are taken.
     * Listeners are called on the service's threads and must not block for long.
     *
     * @throws IllegalArgumentException when the request does not fit the model (context, vocabulary)
     * @throws java.util.concurrent.RejectedExecutionException when the queue of waiting requests is full
     */
    Generation generate(Model model, GenerationRequest request, GenerationListener listener);

    /**
     * Ends every generation of {@code model}, running or waiting (they complete exceptionally with a
     * {@link dev.unicorn.api.model.ModelException} saying the model was unloaded), and returns once none uses it,
     * so the model can be closed.
     */
    void release(Model model);

    /** Live figures over all models. */
    GenerationStatistics statistics();

    /** A new sampler for these parameters. */
    Sampler newSampler(SamplingParameters parameters);
}
