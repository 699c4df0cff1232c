package dev.unicorn.api.model;

import java.util.Set;

import org.osgi.annotation.versioning.ConsumerType;

import dev.unicorn.api.backend.ComputeBackend;
import dev.unicorn.api.weights.WeightsSource;

/**
 * A model architecture, registered as a service by its bundle: it reads its hyper-parameters from the config,
 * binds the named tensors and runs the forward pass.
 */
@ConsumerType
public interface ModelArchitecture {

    /** The {@code architectures} names of {@code config.json} this implementation runs. */
    Set<String> architectureNames();

    /**
     * Binds the weights on the backend.
     *
     * @throws ModelException naming the field or tensor when the config or weights do not fit
     */
    LoadedModel load(ModelConfig config, WeightsSource weights, ComputeBackend backend);
}
