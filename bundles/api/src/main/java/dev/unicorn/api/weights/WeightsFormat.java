package dev.unicorn.api.weights;

import java.nio.file.Path;

import org.osgi.annotation.versioning.ConsumerType;

/** A service that opens checkpoints of one storage format (safetensors, GGUF, ...). */
@ConsumerType
public interface WeightsFormat {

    /** Short name, e.g. {@code safetensors}. */
    String name();

    /** Whether the model folder or file holds weights in this format. */
    boolean recognizes(Path model);

    /**
     * Memory-maps the weights.
     *
     * @throws WeightsException when the files are truncated, malformed or inconsistent
     */
    WeightsSource open(Path model);
}
