package dev.unicorn.frontend.openai;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Defaults of {@code ./unicorn serve}, PID {@code dev.unicorn.server} (a {@code dev.unicorn.server.cfg} file in the
 * deploy folder). Options on the command line override them.
 */
@ObjectClassDefinition(id = ServerConfiguration.PID, name = "Unicorn OpenAI-compatible server",
        description = "Defaults of ./unicorn serve; its command-line options override them")
public @interface ServerConfiguration {
    String PID = "dev.unicorn.server";

    @AttributeDefinition(description = "Model file, folder or id to serve; empty: the default model")
    String model() default "";

    @AttributeDefinition(description = "Address to listen on")
    String host() default "127.0.0.1";

    @AttributeDefinition(description = "Port to listen on (0 picks a free one)")
    int port() default 8080;

    @AttributeDefinition(description = "When set, every /v1 and /admin request must carry Authorization: Bearer <key>")
    String apiKey() default "";

    @AttributeDefinition(description = "Comma-separated origins allowed to call from a browser (* for any)")
    String corsOrigins() default "";

    @AttributeDefinition(description = "Largest request body accepted, in bytes")
    long maxBodyBytes() default ServerSettings.DEFAULT_MAX_BODY;
}
