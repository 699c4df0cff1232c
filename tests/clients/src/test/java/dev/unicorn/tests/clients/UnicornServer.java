package dev.unicorn.tests.clients;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The exported runtime started as users start it, {@code ./unicorn serve}, on a free port with the default model
 * (Gemma 3 270M, Q4_K_M), and stopped when the test class ends.
 */
final class UnicornServer implements AutoCloseable {
    static final Path ROOT = Path.of(System.getProperty("unicorn.root", "../..")).toAbsolutePath().normalize();
    static final String API_KEY = "unicorn-test-key";

    private final Process process;
    private final Path log;
    final int port;
    final String modelId;

    private UnicornServer(Process process, Path log, int port, String modelId) {
        this.process = process;
        this.log = log;
        this.port = port;
        this.modelId = modelId;
    }

    static UnicornServer start() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<String> command = new ArrayList<>(List.of(ROOT.resolve("unicorn").toString(), "serve", "--port",
                Integer.toString(port), "--api-key", API_KEY));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().put("UNICORN_SKIP_BUILD", "1");
        pb.environment().put("UNICORN_THREADS", "2");
        Path log = Files.createTempFile("unicorn-serve", ".log");
        Process p = pb.start();
        // Copy the server's output to a log file, and wait for its "listening on" line.
        var ready = new java.util.concurrent.CompletableFuture<Void>();
        Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                    var w = Files.newBufferedWriter(log)) {
                String line;
                while ((line = r.readLine()) != null) {
                    w.write(line);
                    w.newLine();
                    w.flush();
                    if (line.contains("listening on http://")) {
                        ready.complete(null);
                    }
                }
            } catch (IOException e) {
                ready.completeExceptionally(e);
            }
            ready.completeExceptionally(new IllegalStateException("the server exited"));
        });
        try {
            ready.get(120, TimeUnit.SECONDS);
        } catch (Exception e) {
            p.destroyForcibly();
            throw new AssertionError("./unicorn serve did not start: " + e + "\n" + Files.readString(log), e);
        }
        HttpResponse<String> models = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + port + "/v1/models")).header("Authorization", "Bearer " + API_KEY)
                .build(), HttpResponse.BodyHandlers.ofString());
        JsonNode list = new ObjectMapper().readTree(models.body());
        String id = list.path("data").path(0).path("id").asText();
        if (id.isEmpty()) {
            p.destroyForcibly();
            throw new AssertionError("GET /v1/models listed no model: " + models.body());
        }
        return new UnicornServer(p, log, port, id);
    }

    String baseUrl() {
        return "http://127.0.0.1:" + port + "/v1";
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    boolean alive() {
        return process.isAlive();
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        Files.deleteIfExists(log);
    }
}
