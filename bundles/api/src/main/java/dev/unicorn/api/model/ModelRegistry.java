package dev.unicorn.api.model;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The models loaded in the running runtime, by id, shared by every frontend (server, chat, shell). Loading and
 * unloading are safe while other models serve requests.
 */
@ProviderType
public interface ModelRegistry {

    /**
     * Loads the model at {@code location} and registers it under {@code id}.
     *
     * @param id        the id, or null for {@link #idOf(Path) the default id} of the location
     * @param backendId the backend, or null for the highest-ranked one that supports the weights
     * @throws ModelException when the id is taken or the model cannot be loaded
     */
    RegisteredModel load(String id, Path location, String backendId);

    /** The model registered under {@code id}. */
    Optional<RegisteredModel> get(String id);

    /** Every registered model, in the order they were loaded. */
    List<RegisteredModel> list();

    /**
     * Unregisters and closes the model: its generations still running end with an error, then its memory is
     * released.
     *
     * @return false when no model has this id
     */
    boolean unload(String id);

    /** The default id of a model location: the file or folder name, without a {@code .gguf} suffix. */
    static String idOf(Path location) {
        String name = location.toAbsolutePath().normalize().getFileName().toString();
        return name.toLowerCase(java.util.Locale.ROOT).endsWith(".gguf") ? name.substring(0, name.length() - 5) : name;
    }
}
