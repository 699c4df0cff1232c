package dev.unicorn.frontend.chat;

import java.nio.file.Files;
import java.nio.file.Path;

import dev.unicorn.api.model.ModelException;
import dev.unicorn.api.model.ModelRegistry;
import dev.unicorn.api.model.RegisteredModel;

/**
 * The chat's model, taken from the {@link ModelRegistry}: a model already registered (by the server, the shell or
 * another chat) is used as it is and left loaded; a model the chat loaded itself is unloaded when the chat switches
 * away from it or ends.
 */
final class ChatModels {
    private final ModelRegistry registry;
    private final String backend;
    private RegisteredModel current;
    private boolean loadedHere;

    ChatModels(ModelRegistry registry, String backend) {
        this.registry = registry;
        this.backend = backend;
    }

    RegisteredModel current() {
        return current;
    }

    /**
     * Makes {@code name} the chat's model: a registered id, else a model file or folder (loaded unless a registered
     * model has that location). The previous model stays current when this fails.
     *
     * @throws ModelException when the name is neither, or the model cannot be loaded or has no chat template
     */
    RegisteredModel use(String name) {
        RegisteredModel next = registry.get(name).orElse(null);
        boolean loaded = false;
        if (next == null) {
            Path location = Path.of(name).toAbsolutePath().normalize();
            if (!Files.exists(location)) {
                throw new ModelException("no model is registered as '" + name + "' and there is no such file or folder "
                        + location + " (/models lists the registered ones)");
            }
            next = registry.list().stream()
                    .filter(m -> m.model().location().toAbsolutePath().normalize().equals(location))
                    .findFirst().orElse(null);
            if (next == null) {
                next = registry.load(freeId(ModelRegistry.idOf(location)), location, backend);
                loaded = true;
            }
        }
        if (next.model().chatTemplate().isEmpty()) {
            if (loaded) {
                registry.unload(next.id());
            }
            throw new ModelException(next.model().location() + ": the model has no chat template; use "
                    + "./unicorn generate --prompt");
        }
        if (current != null && current.id().equals(next.id())) {
            return current;
        }
        release();
        current = next;
        loadedHere = loaded;
        return current;
    }

    /** Unloads the current model if the chat loaded it. */
    void release() {
        if (current != null && loadedHere) {
            registry.unload(current.id());
        }
        current = null;
        loadedHere = false;
    }

    private String freeId(String id) {
        String candidate = id;
        for (int n = 2; registry.get(candidate).isPresent(); n++) {
            candidate = id + "-" + n;
        }
        return candidate;
    }
}
