package dev.unicorn.frontend.openai;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

import dev.unicorn.api.generation.GenerationService;
import dev.unicorn.api.generation.StructuredOutput;
import dev.unicorn.api.model.ModelRegistry;

/** The Jetty server of {@code serve}, listening as its settings say. */
final class OpenAiServer implements AutoCloseable {
    /** How long a connection may stay silent (a non-streamed generation writes nothing until it ends). */
    private static final long IDLE_TIMEOUT_MS = 600_000;

    private final Server server;
    private final ServerConnector connector;
    private final Set<String> loading = ConcurrentHashMap.newKeySet();

    OpenAiServer(ServerSettings settings, ModelRegistry registry, GenerationService generation,
            Supplier<StructuredOutput> structuredOutput) {
        QueuedThreadPool threads = new QueuedThreadPool(256, 8);
        threads.setName("unicorn-http");
        server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.setSendDateHeader(true);
        connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost(settings.host());
        connector.setPort(settings.port());
        connector.setIdleTimeout(IDLE_TIMEOUT_MS);
        server.addConnector(connector);
        ApiHandler[] handler = new ApiHandler[1];
        Completions completions = new Completions(generation, f -> handler[0].acquire(f), structuredOutput);
        handler[0] = new ApiHandler(settings, registry, generation, completions, loading::contains);
        server.setHandler(handler[0]);
        server.setErrorHandler(new JsonErrorHandler());
        server.setStopAtShutdown(false);
    }

    void start() throws Exception {
        server.start();
    }

    /** The port it listens on (the chosen one when the settings asked for 0). */
    int port() {
        return connector.getLocalPort();
    }

    /** Marks a model as loading (requests for it get 503) or as done. */
    void loading(String id, boolean loadingNow) {
        if (loadingNow) {
            loading.add(id);
        } else {
            loading.remove(id);
        }
    }

    void join() throws InterruptedException {
        server.join();
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception e) {
            System.err.println("serve: stopping the HTTP server failed: " + e);
        }
    }
}
