package dev.unicorn.api.backend;

import org.osgi.annotation.versioning.ConsumerType;

import dev.unicorn.api.weights.DType;
import dev.unicorn.api.weights.WeightTensor;

/**
 * A hardware backend, registered as a service. It owns its memory: tensors it allocates live in its memory
 * (host RAM for the CPU, device memory for a GPU) and weights are bound into it.
 */
@ConsumerType
public interface ComputeBackend {

    /** Service property naming the backend, for target filters. */
    String BACKEND_ID = "unicorn.backend";

    /** Short id, e.g. {@code cpu}, {@code vulkan}. */
    String id();

    /** Human-readable description of the device and its settings. */
    String description();

    /** Preference when several backends can run a model: higher wins. */
    int rank();

    /** Whether weights of this stored type can be bound and multiplied. */
    boolean supports(DType weightType);

    /**
     * Makes a stored tensor usable by kernels as a {@code rows × columns} matrix (rank-1 tensors become one row).
     * The CPU backend reads the mapped bytes in place; a GPU backend uploads them.
     */
    Tensor bind(WeightTensor weight);

    /** Allocates a zeroed f32 tensor in backend memory. */
    Tensor allocate(long rows, long columns);

    /** A new queue for one sequence of kernels; queues are used by one thread at a time. */
    ComputeQueue newQueue();
}
