package dev.unicorn.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code serve}'s defaults from {@code dev.unicorn.server.cfg} in the deploy folder; the command line wins. */
class ServerConfigurationTest {
    @TempDir
    Path deploy;

    @Test
    void theDeployFoldersCfgConfiguresServeAndOptionsOverrideIt() throws Exception {
        int configured = freePort();
        Files.writeString(deploy.resolve("dev.unicorn.server.cfg"), "port=" + configured + "\napiKey=from-cfg\n");
        Process p = serve();
        try {
            assertEquals("listening on http://127.0.0.1:" + configured, firstLine(p));
            assertEquals(401, status(configured, null));
            assertEquals(200, status(configured, "from-cfg"));
        } finally {
            p.destroy();
            p.waitFor(20, TimeUnit.SECONDS);
        }
        int given = freePort();
        Process q = serve("--port", Integer.toString(given), "--api-key", "from-option");
        try {
            assertEquals("listening on http://127.0.0.1:" + given, firstLine(q));
            assertEquals(401, status(given, "from-cfg"));
            assertEquals(200, status(given, "from-option"));
        } finally {
            q.destroy();
            q.waitFor(20, TimeUnit.SECONDS);
        }
    }

    private Process serve(String... options) throws Exception {
        var command = new java.util.ArrayList<>(java.util.List.of(RuntimeCommandsTest.ROOT.resolve("unicorn").toString(),
                "serve"));
        command.addAll(java.util.List.of(options));
        ProcessBuilder pb = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("UNICORN_SKIP_BUILD", "1");
        pb.environment().put("UNICORN_THREADS", "2");
        pb.environment().put("UNICORN_DEPLOY", deploy.toString());
        return pb.start();
    }

    private static String firstLine(Process p) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        String line;
        while ((line = out.readLine()) != null && !line.startsWith("listening on ")) {
            // startup output
        }
        assertTrue(line != null, "serve ended without listening");
        return line;
    }

    private static int status(int port, String key) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/models"));
        if (key != null) {
            b.header("Authorization", "Bearer " + key);
        }
        return HttpClient.newHttpClient().send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
