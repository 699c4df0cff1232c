/**
 * Model weights as stored on disk: element types, named tensors and the formats that read them.
 * <p>Implementations memory-map files; a {@link dev.unicorn.api.weights.WeightTensor} is a view of mapped bytes,
 * never a heap copy.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.unicorn.api.weights;
