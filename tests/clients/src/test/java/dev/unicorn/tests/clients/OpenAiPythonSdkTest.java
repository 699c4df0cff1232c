package dev.unicorn.tests.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The official OpenAI Python SDK ({@code openai} from PyPI, installed by {@code tools/setup-clients.sh}) against
 * {@code ./unicorn serve}: {@code src/test/python/openai_sdk_check.py} runs its checks and exits non-zero on any
 * failure.
 */
class OpenAiPythonSdkTest {
    static UnicornServer server;

    @BeforeAll
    static void start() throws Exception {
        server = UnicornServer.start();
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void everySdkCheckPasses() throws Exception {
        Process setup = new ProcessBuilder(UnicornServer.ROOT.resolve("tools/setup-clients.sh").toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String python = new String(setup.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertTrue(setup.waitFor(600, TimeUnit.SECONDS) && setup.exitValue() == 0,
                "tools/setup-clients.sh could not install the OpenAI Python SDK");
        Path script = Path.of("src/test/python/openai_sdk_check.py").toAbsolutePath();
        Process p = new ProcessBuilder(python, script.toString(), server.baseUrl(), UnicornServer.API_KEY,
                server.modelId).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(600, TimeUnit.SECONDS), "the SDK checks did not finish");
        System.out.println(output);
        assertEquals(0, p.exitValue(), output + "\nserver log:\n" + server.log());
        assertTrue(Files.exists(script));
    }
}
