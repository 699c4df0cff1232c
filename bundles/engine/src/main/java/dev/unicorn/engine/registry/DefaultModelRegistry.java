package dev.unicorn.engine.registry;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

import dev.unicorn.api.generation.GenerationService;
import dev.unicorn.api.model.Model;
import dev.unicorn.api.model.ModelException;
import dev.unicorn.api.model.ModelLoader;
import dev.unicorn.api.model.ModelRegistry;
import dev.unicorn.api.model.RegisteredModel;

/**
 * Models loaded in this runtime, by id. Loading happens outside the lock, so a slow load does not block lookups;
 * an id is reserved while its model loads.
 */
@Component
public final class DefaultModelRegistry implements ModelRegistry {
    private final ModelLoader loader;
    private final GenerationService generation;
    private final Map<String, RegisteredModel> models = new LinkedHashMap<>();
    private final java.util.Set<String> loading = new java.util.HashSet<>();

    @Activate
    public DefaultModelRegistry(@Reference ModelLoader loader, @Reference GenerationService generation) {
        this.loader = loader;
        this.generation = generation;
    }

    @Deactivate
    void deactivate() {
        for (RegisteredModel m : list()) {
            unload(m.id());
        }
    }

    @Override
    public RegisteredModel load(String id, Path location, String backendId) {
        String key = id == null ? ModelRegistry.idOf(location) : id;
        if (key.isBlank()) {
            throw new ModelException("a model id must not be blank");
        }
        synchronized (models) {
            if (models.containsKey(key) || loading.contains(key)) {
                throw new ModelException("a model with id '" + key + "' is already loaded");
            }
            loading.add(key);
        }
        try {
            Model model = loader.load(location, backendId);
            RegisteredModel registered = new RegisteredModel(key, model, Instant.now());
            synchronized (models) {
                models.put(key, registered);
            }
            return registered;
        } finally {
            synchronized (models) {
                loading.remove(key);
            }
        }
    }

    @Override
    public Optional<RegisteredModel> get(String id) {
        synchronized (models) {
            return Optional.ofNullable(models.get(id));
        }
    }

    @Override
    public List<RegisteredModel> list() {
        synchronized (models) {
            return new ArrayList<>(models.values());
        }
    }

    @Override
    public boolean unload(String id) {
        RegisteredModel removed;
        synchronized (models) {
            removed = models.remove(id);
        }
        if (removed == null) {
            return false;
        }
        generation.release(removed.model());
        removed.model().close();
        return true;
    }
}
