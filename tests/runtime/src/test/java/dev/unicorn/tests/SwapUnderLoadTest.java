package dev.unicorn.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The runtime re-assembled while it serves: streamed requests run on model A (the default Gemma 3 model) while model
 * B (a tiny Qwen2 checkpoint) is loaded through the admin API and answers requests; then A's architecture bundle is
 * stopped through {@code serve}'s Gogo console and started again. Requests on B finish normally, A's streams end with
 * an error event, A loads again once its bundle is back, and the server keeps serving throughout.
 */
class SwapUnderLoadTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String A = "gemma-3-270m-q4_k_m";
    static final String B = "qwen2-tiny";

    @TempDir
    Path models;

    Process server;
    int port;
    final LinkedBlockingQueue<String> output = new LinkedBlockingQueue<>();
    OutputStream console;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.destroy();
            if (!server.waitFor(20, TimeUnit.SECONDS)) {
                server.destroyForcibly();
            }
        }
    }

    @Test
    void swapModelsAndBundlesWhileStreaming() throws Exception {
        Files.createSymbolicLink(models.resolve(A + ".gguf"), DefaultModelTest.DEFAULT_MODEL);
        RuntimeCommandsTest.FIXTURES.resolve(B);
        Path b = Files.createDirectories(models.resolve(B));
        try (var files = Files.list(RuntimeCommandsTest.FIXTURES.resolve(B))) {
            for (Path f : files.toList()) {
                Files.copy(f, b.resolve(f.getFileName()));
            }
        }
        start();
        JsonNode before = get("/health");
        long memoryBefore = before.path("memory").path("in_use_bytes").asLong();
        assertTrue(memoryBefore > 200L << 20, "model A's reservation: " + before);

        // Three streams on A, counting on and on (greedy): long enough to be running when A's bundle leaves.
        List<CompletableFuture<HttpResponse<String>>> streams = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            streams.add(http.sendAsync(post("/v1/completions", "{\"model\":\"" + A + "\",\"prompt\":\"" + (i + 1)
                    + ", " + (i + 2) + ", " + (i + 3) + ",\",\"max_tokens\":400,\"temperature\":0,\"stream\":true}"),
                    HttpResponse.BodyHandlers.ofString()));
        }
        waitUntil("three generations running on A", () -> get("/health").path("generations").path("running")
                .asInt() == 3);

        HttpResponse<String> loaded = http.send(post("/admin/models/load", "{\"model\":\"" + B + "\"}"),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, loaded.statusCode(), loaded.body());
        assertEquals("loaded", JSON.readTree(loaded.body()).path("status").asText(), loaded.body());
        long memoryBoth = get("/health").path("memory").path("in_use_bytes").asLong();
        assertTrue(memoryBoth > memoryBefore, "B's reservation adds to A's: " + memoryBoth);
        for (int i = 0; i < 2; i++) {
            HttpResponse<String> r = completion(B, "hello", 12);
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(12, JSON.readTree(r.body()).path("usage").path("completion_tokens").asInt(), r.body());
        }
        assertTrue(streams.stream().noneMatch(CompletableFuture::isDone), "A's streams ended too early");

        // A's architecture bundle leaves while A streams.
        assertTrue(command("unicorn:stop dev.unicorn.model-gemma3").contains("stopped dev.unicorn.model-gemma3 "
                + bundleVersion("dev.unicorn.model-gemma3")), "the bundle stops");
        int errors = 0;
        for (CompletableFuture<HttpResponse<String>> s : streams) {
            HttpResponse<String> r = s.get(120, TimeUnit.SECONDS);
            assertEquals(200, r.statusCode(), "a stream that started keeps its status: " + r.body());
            String last = lastEvent(r.body());
            assertTrue(r.body().trim().endsWith("data: [DONE]"), r.body());
            assertTrue(last.contains("\"error\"") && last.contains("unloaded"), "A's stream ends with an error event: "
                    + last);
            errors++;
        }
        JsonNode models = get("/v1/models");
        assertEquals("available", status(models, A), models.toString());
        assertEquals("loaded", status(models, B), models.toString());
        HttpResponse<String> missing = completion(A, "1, 2,", 4);
        assertEquals(503, missing.statusCode(), missing.body());
        assertTrue(missing.body().contains("unknown architecture"), missing.body());
        HttpResponse<String> stillB = completion(B, "hello again", 8);
        assertEquals(200, stillB.statusCode(), stillB.body());
        long memoryWithoutA = get("/health").path("memory").path("in_use_bytes").asLong();
        assertTrue(memoryWithoutA < memoryBoth - (200L << 20), "A's memory is released: " + memoryWithoutA);

        // The bundle comes back: A loads on demand.
        command("unicorn:start dev.unicorn.model-gemma3");
        waitUntil("model A answering again", () -> completion(A, "1, 2,", 4).statusCode() == 200);
        HttpResponse<String> unloaded = http.send(post("/admin/models/unload", "{\"model\":\"" + B + "\"}"),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, unloaded.statusCode(), unloaded.body());
        JsonNode after = get("/health");
        assertEquals("ok", after.path("status").asText(), after.toString());
        assertEquals(0, after.path("generations").path("running").asInt(), after.toString());
        long memoryAfter = after.path("memory").path("in_use_bytes").asLong();
        assertEquals(memoryBefore, memoryAfter, "only A is loaded again");
        System.out.printf(Locale.ROOT, "swap under load: 3 streams on A ended with %d error events; B answered 3 of 3 "
                + "requests; memory reserved (MiB) before %.1f, with B %.1f, without A %.1f, after %.1f; server RSS %s%n",
                errors, memoryBefore / 1048576.0, memoryBoth / 1048576.0, memoryWithoutA / 1048576.0,
                memoryAfter / 1048576.0, rss());
    }

    private void start() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ProcessBuilder pb = new ProcessBuilder(RuntimeCommandsTest.ROOT.resolve("unicorn").toString(), "serve",
                "--model", models.resolve(A + ".gguf").toString(), "--port", Integer.toString(port))
                .redirectErrorStream(true);
        pb.environment().put("UNICORN_SKIP_BUILD", "1");
        pb.environment().put("UNICORN_THREADS", "2");
        pb.environment().put("UNICORN_MODELS", models.toString());
        pb.environment().put("UNICORN_DEPLOY", Files.createDirectories(models.resolve(".deploy")).toString());
        server = pb.start();
        console = server.getOutputStream();
        Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(server.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    output.add(line);
                }
            } catch (IOException e) {
                // the server ended
            }
        });
        String line;
        while ((line = output.poll(120, TimeUnit.SECONDS)) != null && !line.startsWith("listening on ")) {
            // startup output
        }
        assertTrue(line != null, "serve did not start in 120 s");
    }

    /** Runs a Gogo command on serve's console; returns its output. */
    private List<String> command(String command) throws Exception {
        console.write((command + "\n").getBytes(StandardCharsets.UTF_8));
        console.flush();
        List<String> lines = new ArrayList<>();
        String line;
        while ((line = output.poll(60, TimeUnit.SECONDS)) != null && !line.equals("console> done: " + command)) {
            lines.add(line);
        }
        assertTrue(line != null, "the console did not answer '" + command + "': " + lines);
        return lines;
    }

    private String bundleVersion(String symbolicName) throws Exception {
        for (String row : command("unicorn:bundles")) {
            String[] cells = row.trim().split("\\s+");
            if (cells.length >= 3 && cells[1].equals(symbolicName)) {
                return cells[2];
            }
        }
        throw new AssertionError("no bundle " + symbolicName);
    }

    private HttpRequest post(String path, String body) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(300))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private HttpResponse<String> completion(String model, String prompt, int maxTokens) throws Exception {
        return http.send(post("/v1/completions", "{\"model\":\"" + model + "\",\"prompt\":\"" + prompt
                + "\",\"max_tokens\":" + maxTokens + ",\"temperature\":0}"), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(r.body());
    }

    private static String status(JsonNode models, String id) {
        for (JsonNode m : models.path("data")) {
            if (m.path("id").asText().equals(id)) {
                return m.path("status").asText();
            }
        }
        return "absent";
    }

    private static String lastEvent(String body) {
        String[] events = body.trim().split("\n\n");
        return events.length < 2 ? body : events[events.length - 2];
    }

    private String rss() throws IOException {
        Path status = Path.of("/proc/" + server.pid() + "/status");
        if (!Files.exists(status)) {
            return "unknown";
        }
        return Files.readAllLines(status).stream().filter(l -> l.startsWith("VmRSS:")).map(l -> l.substring(6).trim())
                .findFirst().orElse("unknown");
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    private static void waitUntil(String what, Check check) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!check.ok()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(200);
        }
    }
}
