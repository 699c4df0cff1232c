/**
 * The compute backend seam: memory the backend owns, and kernels recorded on a queue.
 * <p>A backend allocates {@link dev.unicorn.api.backend.Tensor}s (activations, KV caches), binds weights (in
 * place on the CPU, uploaded by a GPU backend), and records kernels on a
 * {@link dev.unicorn.api.backend.ComputeQueue}. Results become visible to the host after
 * {@link dev.unicorn.api.backend.ComputeQueue#finish()}, so a backend that submits asynchronously fits the same seam.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package dev.unicorn.api.backend;
