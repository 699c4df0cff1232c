package dev.unicorn.api.model;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A loaded model held for one use (a request, a chat): while any lease is open the model is neither evicted
 * to make room nor unloaded for idleness. Closing the lease starts its keep-alive again. Closing twice is harmless.
 */
@ProviderType
public interface ModelLease extends AutoCloseable {

    RegisteredModel model();

    @Override
    void close();
}
