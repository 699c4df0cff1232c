package dev.unicorn.engine.loader;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An immutable list of the services bound now, replaced whole on bind and unbind so that readers never lock.
 */
final class ServiceSnapshot<S> {
    private final AtomicReference<List<S>> current = new AtomicReference<>(List.of());

    void add(S service) {
        current.updateAndGet(list -> {
            List<S> next = new ArrayList<>(list);
            next.add(service);
            return List.copyOf(next);
        });
    }

    void remove(S service) {
        current.updateAndGet(list -> list.stream().filter(s -> s != service).toList());
    }

    List<S> get() {
        return current.get();
    }
}
