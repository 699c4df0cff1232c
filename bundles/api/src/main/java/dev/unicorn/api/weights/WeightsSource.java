package dev.unicorn.api.weights;

import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

import org.osgi.annotation.versioning.ProviderType;

/** The tensors of one checkpoint (possibly several shard files), memory-mapped. Closing unmaps them. */
@ProviderType
public interface WeightsSource extends AutoCloseable {

    /** The file or folder the tensors come from, for error messages. */
    Path location();

    /**
     * Metadata stored with the tensors: GGUF key/values ({@code general.architecture}, hyper-parameters,
     * {@code tokenizer.*}) with numbers as {@code Long}/{@code Double}, strings, booleans and arrays as {@code List};
     * safetensors' {@code __metadata__} strings.
     */
    java.util.Map<String, Object> metadata();

    /** Names of all tensors. */
    Set<String> names();

    /** The tensor of that name, if present. */
    Optional<WeightTensor> find(String name);

    /**
     * The tensor of that name with exactly the expected shape.
     *
     * @throws WeightsException naming the tensor, the file and the expected shape when it is missing or
     *                          shaped otherwise
     */
    WeightTensor require(String name, long... expectedShape);

    @Override
    void close();
}
