package dev.unicorn.engine.transformer;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import dev.unicorn.api.backend.ComputeBackend;
import dev.unicorn.api.backend.Tensor;
import dev.unicorn.api.model.ModelException;
import dev.unicorn.api.weights.WeightTensor;
import dev.unicorn.api.weights.WeightsSource;

/**
 * Binds checkpoint tensors on a backend after checking their shapes, counting parameters and bytes, and
 * releasing everything bound so far when a later tensor fails.
 */
public final class WeightBinder implements AutoCloseable {
    private final WeightsSource source;
    private final ComputeBackend backend;
    private final List<Tensor> bound = new ArrayList<>();
    private long parameters;
    private long bytes;

    public WeightBinder(WeightsSource source, ComputeBackend backend) {
        this.source = source;
        this.backend = backend;
    }

    /** Binds a required tensor of exactly this shape. */
    public Tensor require(String name, long... shape) {
        return bind(source.require(name, shape));
    }

    /** Binds a tensor of this shape if the checkpoint has one. */
    public Optional<Tensor> optional(String name, long... shape) {
        return source.find(name).map(t -> bind(source.require(name, shape)));
    }

    /** Whether the checkpoint has a tensor of that name. */
    public boolean has(String name) {
        return source.find(name).isPresent();
    }

    private Tensor bind(WeightTensor t) {
        if (!backend.supports(t.type())) {
            throw new ModelException(source.location() + ": tensor '" + t.name() + "' is " + t.type()
                    + ", which backend '" + backend.id() + "' cannot run");
        }
        Tensor tensor = backend.bind(t);
        bound.add(tensor);
        parameters += t.elementCount();
        bytes += t.data().byteSize();
        return tensor;
    }

    public long parameters() {
        return parameters;
    }

    public long bytes() {
        return bytes;
    }

    /** The tensors bound so far, handed over to the model that owns them. */
    public List<Tensor> bound() {
        return List.copyOf(bound);
    }

    /** Releases everything bound (used when loading fails). */
    @Override
    public void close() {
        bound.forEach(Tensor::close);
        bound.clear();
    }
}
