package dev.unicorn.frontend.openai;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Everything {@code serve} is configured with, in one place, so it can later come from OSGi configuration as well as
 * from the command line.
 *
 * @param model        the model file or folder to load
 * @param modelId      the id clients name it by ({@code model} field)
 * @param host         the address to listen on
 * @param port         the port to listen on (0 picks a free one)
 * @param apiKey       when set, every {@code /v1} request must carry {@code Authorization: Bearer <apiKey>}
 * @param corsOrigins  origins allowed to call from a browser ({@code *} for any); empty for none
 * @param maxBodyBytes the largest request body accepted
 */
record ServerSettings(Path model, String modelId, String host, int port, String apiKey, List<String> corsOrigins,
        long maxBodyBytes) {

    static final String USAGE = """
            serve    [--model M] [--id ID] [--host 127.0.0.1] [--port 8080] [--api-key KEY] [--cors ORIGINS]
                     [--max-body BYTES]
                     an OpenAI-compatible HTTP server (/v1/chat/completions, /v1/completions, /v1/models)
            """;
    static final long DEFAULT_MAX_BODY = 8L << 20;

    ServerSettings {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--port must be in 0..65535, got " + port);
        }
        if (maxBodyBytes < 1) {
            throw new IllegalArgumentException("--max-body must be >= 1 byte, got " + maxBodyBytes);
        }
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("--host must not be empty");
        }
        if (modelId != null && modelId.isBlank()) {
            throw new IllegalArgumentException("--id must not be empty");
        }
        if (apiKey != null && apiKey.isEmpty()) {
            throw new IllegalArgumentException("--api-key must not be empty");
        }
        corsOrigins = List.copyOf(corsOrigins);
    }

    /** The settings from {@code serve}'s command line; the model defaults to {@code defaultModel}. */
    static ServerSettings parse(List<String> args, String defaultModel) {
        return parse(args, new ServerSettings(defaultModel == null ? null : Path.of(defaultModel), null, "127.0.0.1",
                8080, null, List.of(), DEFAULT_MAX_BODY));
    }

    /** Settings from configuration ({@code dev.unicorn.server}), the model defaulting to {@code defaultModel}. */
    static ServerSettings of(ServerConfiguration c, String defaultModel) {
        String model = !c.model().isBlank() ? c.model() : defaultModel;
        List<String> cors = new ArrayList<>();
        for (String o : c.corsOrigins().split(",")) {
            if (!o.isBlank()) {
                cors.add(o.strip());
            }
        }
        return new ServerSettings(model == null ? null : Path.of(model), null, c.host(), c.port(),
                c.apiKey().isEmpty() ? null : c.apiKey(), cors, c.maxBodyBytes());
    }

    /** The settings from {@code serve}'s command line over {@code defaults}. */
    static ServerSettings parse(List<String> args, ServerSettings defaults) {
        String model = defaults.model() == null ? null : defaults.model().toString();
        String id = defaults.modelId();
        String host = defaults.host();
        int port = defaults.port();
        String apiKey = defaults.apiKey();
        List<String> cors = new ArrayList<>(defaults.corsOrigins());
        boolean corsGiven = false;
        long maxBody = defaults.maxBodyBytes();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("serve: unexpected argument '" + a + "'");
            }
            String name = a.substring(2);
            String value;
            int eq = name.indexOf('=');
            if (eq >= 0) {
                value = name.substring(eq + 1);
                name = name.substring(0, eq);
            } else {
                if (i + 1 >= args.size()) {
                    throw new IllegalArgumentException("serve: option --" + name + " needs a value");
                }
                value = args.get(++i);
            }
            switch (name) {
                case "model" -> model = value;
                case "id" -> id = value;
                case "host" -> host = value;
                case "port" -> port = (int) number(name, value, 0, 65535);
                case "api-key" -> apiKey = value;
                case "cors" -> {
                    if (!corsGiven) {
                        cors.clear();
                        corsGiven = true;
                    }
                    for (String o : value.split(",")) {
                        if (!o.isBlank()) {
                            cors.add(o.strip());
                        }
                    }
                }
                case "max-body" -> maxBody = number(name, value, 1, Long.MAX_VALUE);
                default -> throw new IllegalArgumentException("serve: unknown option --" + name
                        + "; options: --model, --id, --host, --port, --api-key, --cors, --max-body");
            }
        }
        if (model == null || model.isBlank()) {
            throw new IllegalArgumentException("serve: --model FILE|DIR is required (no default model is installed)");
        }
        return new ServerSettings(Path.of(model), id, host, port, apiKey, cors, maxBody);
    }

    private static long number(String name, String value, long min, long max) {
        long v;
        try {
            v = Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("serve: --" + name + " expects an integer, got '" + value + "'");
        }
        if (v < min || v > max) {
            throw new IllegalArgumentException("serve: --" + name + " must be in " + min + ".." + max + ", got " + v);
        }
        return v;
    }
}
