/**
 * Model architectures and loaded models.
 * <p>An architecture recognises a checkpoint, binds its named tensors and runs its forward pass; the model loader
 * combines it with a weights format, a backend and a tokenizer into a {@link dev.unicorn.api.model.Model}.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package dev.unicorn.api.model;
