/**
 * The shared decoder-only transformer: hyper-parameters, bound weights and the forward pass built from the
 * backend's kernels (RMSNorm, RoPE, grouped-query attention with a KV cache, gated MLP). Architecture bundles
 * state what differs and reuse this.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.unicorn.engine.transformer;
