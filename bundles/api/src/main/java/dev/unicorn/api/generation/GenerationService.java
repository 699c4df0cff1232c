package dev.unicorn.api.generation;

import org.osgi.annotation.versioning.ProviderType;

import dev.unicorn.api.model.Model;

/** Generates tokens from a loaded model, streaming them to a listener. */
@ProviderType
public interface GenerationService {

    /**
     * Starts a generation on a thread of the service.
     *
     * @throws IllegalArgumentException when the request does not fit the model (context, vocabulary)
     */
    Generation generate(Model model, GenerationRequest request, GenerationListener listener);

    /** A new sampler for these parameters. */
    Sampler newSampler(SamplingParameters parameters);
}
