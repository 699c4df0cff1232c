package dev.unicorn.frontend.openai;

import java.io.InputStream;
import java.io.PrintStream;
import java.net.BindException;
import java.nio.file.Files;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import dev.unicorn.api.command.Command;
import dev.unicorn.api.generation.GenerationService;
import dev.unicorn.api.generation.StructuredOutput;
import dev.unicorn.api.model.ModelException;
import dev.unicorn.api.model.ModelLease;
import dev.unicorn.api.model.ModelRegistry;

/**
 * {@code ./unicorn serve}: loads a model into the registry and serves it over an OpenAI-compatible HTTP API until the
 * process is killed. The HTTP server starts first, so requests during the load get 503 rather than a refused
 * connection; {@code listening on http://H:P} is printed once the model is ready. Standard input is then a Gogo
 * console ({@link ServeConsole}).
 */
@Component(property = Command.NAME + "=serve", configurationPid = ServerConfiguration.PID)
@org.osgi.service.metatype.annotations.Designate(ocd = ServerConfiguration.class)
public final class ServeCommand implements Command {
    /** System property naming the model served when {@code --model} is not given (set by ./unicorn). */
    static final String DEFAULT_MODEL = "unicorn.defaultModel";

    private final ModelRegistry registry;
    private final GenerationService generation;
    private final Set<OpenAiServer> servers = ConcurrentHashMap.newKeySet();

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile StructuredOutput structuredOutput;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    private volatile org.apache.felix.service.command.CommandProcessor gogo;

    private volatile ServerConfiguration configuration;

    @Activate
    public ServeCommand(@Reference ModelRegistry registry, @Reference GenerationService generation,
            ServerConfiguration configuration) {
        this.registry = registry;
        this.generation = generation;
        this.configuration = configuration;
    }

    @org.osgi.service.component.annotations.Modified
    void modified(ServerConfiguration configuration) {
        this.configuration = configuration;
    }

    @Deactivate
    void deactivate() {
        servers.forEach(OpenAiServer::close);
    }

    @Override
    public String usage() {
        return ServerSettings.USAGE;
    }

    @Override
    public int run(List<String> args, InputStream in, PrintStream out, PrintStream err) {
        ServerSettings parsed;
        try {
            parsed = ServerSettings.parse(args, ServerSettings.of(configuration, System.getProperty(DEFAULT_MODEL)));
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            return 2;
        }
        if (!Files.exists(parsed.model())) {
            // Not a path: the id of a model in the models directory.
            String named = parsed.model().toString();
            var known = registry.available().stream().filter(m -> m.id().equals(named)).findFirst();
            if (known.isEmpty()) {
                err.println("error: " + parsed.model() + ": no such model file or folder, nor a model id of the "
                        + "models directory");
                return 1;
            }
            parsed = new ServerSettings(known.get().location(), parsed.modelId() != null ? parsed.modelId()
                    : known.get().id(), parsed.host(), parsed.port(), parsed.apiKey(), parsed.corsOrigins(),
                    parsed.maxBodyBytes());
        }
        String id = parsed.modelId() != null ? parsed.modelId() : ModelRegistry.idOf(parsed.model());
        ServerSettings settings = new ServerSettings(parsed.model(), id, parsed.host(), parsed.port(),
                parsed.apiKey(), parsed.corsOrigins(), parsed.maxBodyBytes());
        OpenAiServer server = new OpenAiServer(settings, registry, generation, () -> structuredOutput);
        servers.add(server);
        try {
            server.loading(id, true);
            try {
                server.start();
            } catch (Exception e) {
                Throwable cause = e instanceof java.io.IOException && e.getCause() instanceof BindException b ? b : e;
                err.println("error: cannot listen on " + settings.host() + ":" + settings.port() + ": "
                        + cause.getMessage());
                return 1;
            }
            // The served model stays in memory while serving: the lease keeps the keep-alive from unloading it.
            ModelLease served;
            try {
                registry.load(id, settings.model(), null);
                served = registry.acquire(id);
            } catch (ModelException | IllegalArgumentException e) {
                err.println("error: " + e.getMessage());
                return 1;
            } finally {
                server.loading(id, false);
            }
            try (served) {
                out.println("listening on http://" + settings.host() + ":" + server.port());
                out.flush();
                var console = gogo;
                if (console != null) {
                    ServeConsole.start(console, in, out, err);
                }
                server.join();
            }
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } finally {
            servers.remove(server);
            server.close();
        }
    }
}
