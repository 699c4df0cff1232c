package dev.unicorn.api.model;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The models of the running runtime, by id, shared by every frontend (server, chat, shell): those in the models
 * directory, those loaded from elsewhere, and which of them are in memory. Loading and unloading are safe while
 * other models serve requests. Loading respects a memory budget: idle models are unloaded, least recently used
 * first, to make room, and a model that still does not fit is refused with {@link InsufficientMemoryException}.
 * An idle model unloads itself after the configured keep-alive.
 */
@ProviderType
public interface ModelRegistry {

    /**
     * Loads the model at {@code location} and registers it under {@code id}; it stays available under that id after
     * it is unloaded.
     *
     * @param id        the id, or null for {@link #idOf(Path) the default id} of the location
     * @param backendId the backend, or null for the configured or highest-ranked one that supports the weights
     * @throws ModelException when the id is taken by another location or the model cannot be loaded
     * @throws InsufficientMemoryException when it does not fit the memory budget
     */
    RegisteredModel load(String id, Path location, String backendId);

    /**
     * Loads the available model {@code id} (no-op when it is loaded).
     *
     * @throws ModelException when no model has this id, or it cannot be loaded
     * @throws InsufficientMemoryException when it does not fit the memory budget
     */
    RegisteredModel load(String id);

    /**
     * Holds the model {@code id} for one use, loading it first when it is available but not loaded. Close the lease
     * when the use ends.
     *
     * @throws ModelException when no model has this id, or it cannot be loaded
     * @throws InsufficientMemoryException when it does not fit the memory budget
     */
    ModelLease acquire(String id);

    /** The loaded model registered under {@code id}. */
    Optional<RegisteredModel> get(String id);

    /** Every loaded model, in the order they were loaded. */
    List<RegisteredModel> list();

    /** Every model that can be served (models directory and models loaded before), loaded or not, by id. */
    List<AvailableModel> available();

    /**
     * Unloads and closes the model: its generations still running end with an error, then its memory is released.
     * It stays available.
     *
     * @return false when no model with this id is loaded
     */
    boolean unload(String id);

    /** The memory budget in bytes for all loaded models together. */
    long memoryBudget();

    /** The memory the loaded models are estimated to occupy, in bytes. */
    long memoryInUse();

    /** The default id of a model location: the file or folder name, without a {@code .gguf} suffix. */
    static String idOf(Path location) {
        String name = location.toAbsolutePath().normalize().getFileName().toString();
        return name.toLowerCase(java.util.Locale.ROOT).endsWith(".gguf") ? name.substring(0, name.length() - 5) : name;
    }
}
