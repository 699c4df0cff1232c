package dev.unicorn.frontend.chat;

import java.nio.file.Files;
import java.nio.file.Path;

import java.util.List;

import dev.unicorn.api.model.AvailableModel;
import dev.unicorn.api.model.ModelException;
import dev.unicorn.api.model.ModelLease;
import dev.unicorn.api.model.ModelRegistry;
import dev.unicorn.api.model.RegisteredModel;

/**
 * The chat's model, taken from the {@link ModelRegistry} and held by a lease while it is the chat's, so keep-alive and
 * the memory budget never unload it under the chat. A model that was not loaded before the chat took it is unloaded
 * when the chat switches away from it or ends; one that was loaded already (by the server, the shell or another chat)
 * is only released.
 */
final class ChatModels {
    private final ModelRegistry registry;
    private final String backend;
    private ModelLease lease;
    private boolean loadedHere;

    ChatModels(ModelRegistry registry, String backend) {
        this.registry = registry;
        this.backend = backend;
    }

    RegisteredModel current() {
        return lease == null ? null : lease.model();
    }

    /**
     * Makes {@code name} the chat's model: a model id (loaded or available), else a model file or folder. The
     * previous model stays current when this fails.
     *
     * @throws ModelException when the name is neither, or the model cannot be loaded or has no chat template
     */
    RegisteredModel use(String name) {
        String id = resolve(name);
        boolean loaded = registry.get(id).isEmpty();
        ModelLease next = registry.acquire(id);
        if (next.model().model().chatTemplate().isEmpty()) {
            next.close();
            if (loaded) {
                registry.unload(id);
            }
            throw new ModelException(next.model().model().location() + ": the model has no chat template; use "
                    + "./unicorn generate --prompt");
        }
        if (lease != null && lease.model().id().equals(id)) {
            next.close();
            return lease.model();
        }
        release();
        lease = next;
        loadedHere = loaded;
        return lease.model();
    }

    /** The id of a model id or location, registering a location the registry does not know yet. */
    private String resolve(String name) {
        List<AvailableModel> known = registry.available();
        if (known.stream().anyMatch(m -> m.id().equals(name))) {
            return name;
        }
        Path location = Path.of(name).toAbsolutePath().normalize();
        if (!Files.exists(location)) {
            throw new ModelException("no model has the id '" + name + "' and there is no such file or folder "
                    + location + " (/models lists them)");
        }
        for (AvailableModel m : known) {
            if (m.location().toAbsolutePath().normalize().equals(location)) {
                return m.id();
            }
        }
        String id = ModelRegistry.idOf(location);
        String candidate = id;
        for (int n = 2; taken(known, candidate); n++) {
            candidate = id + "-" + n;
        }
        return registry.load(candidate, location, backend).id();
    }

    private static boolean taken(List<AvailableModel> known, String id) {
        return known.stream().anyMatch(m -> m.id().equals(id));
    }

    /** Releases the current model, unloading it if the chat loaded it. */
    void release() {
        if (lease != null) {
            String id = lease.model().id();
            lease.close();
            if (loadedHere) {
                registry.unload(id);
            }
        }
        lease = null;
        loadedHere = false;
    }
}
