package dev.unicorn.engine.transformer;

import java.util.List;

import dev.unicorn.api.backend.ComputeBackend;
import dev.unicorn.api.backend.Tensor;
import dev.unicorn.api.model.InferenceSession;
import dev.unicorn.api.model.LoadedModel;
import dev.unicorn.api.model.ModelException;
import dev.unicorn.api.model.ModelInfo;
import dev.unicorn.api.weights.WeightsSource;

/** A decoder-only transformer bound to a backend. It owns the weights source and the bound tensors. */
public final class DecoderModel implements LoadedModel {
    private final DecoderSpec spec;
    private final DecoderWeights weights;
    private final ComputeBackend backend;
    private final WeightsSource source;
    private final List<Tensor> ownedTensors;
    private final ModelInfo info;
    private volatile boolean closed;

    public DecoderModel(DecoderSpec spec, DecoderWeights weights, ComputeBackend backend, WeightsSource source,
            WeightBinder binder) {
        if (weights.layers().size() != spec.layerCount()) {
            throw new IllegalArgumentException(weights.layers().size() + " bound layers for " + spec.layerCount());
        }
        this.spec = spec;
        this.weights = weights;
        this.backend = backend;
        this.source = source;
        this.ownedTensors = binder.bound();
        this.info = new ModelInfo(spec.architecture(), spec.vocabularySize(), spec.contextLength(),
                binder.parameters(), binder.bytes());
    }

    @Override
    public ModelInfo info() {
        return info;
    }

    public DecoderSpec spec() {
        return spec;
    }

    @Override
    public InferenceSession newSession(int capacity) {
        if (closed) {
            throw new ModelException(info.architecture() + " model is closed");
        }
        if (capacity <= 0) {
            throw new IllegalArgumentException("session capacity must be positive, got " + capacity);
        }
        return new DecoderSession(spec, weights, backend, Math.min(capacity, spec.contextLength()));
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            ownedTensors.forEach(Tensor::close);
            source.close();
        }
    }
}
