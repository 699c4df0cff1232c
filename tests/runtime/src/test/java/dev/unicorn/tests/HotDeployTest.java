package dev.unicorn.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The deploy folder while the runtime runs ({@code ./unicorn shell}, driven one command at a time): a model bundle
 * jar dropped there brings its architecture and deleting it takes it away, unloading its models; {@code .cfg} files
 * configure the model registry (memory budget, keep-alive) and choose the loader's backend through a reference
 * target. The user's ~/.unicorn is never used: models and deploy folders are temporary.
 */
class HotDeployTest {
    static final String MODEL = "qwen2-tiny";
    static final String QWEN = "dev.unicorn.model-qwen";
    static final String PROMPT = "unicorn> ";

    @TempDir
    Path temp;

    Path models;
    Path deploy;
    Process shell;
    OutputStream stdin;
    final StringBuilder output = new StringBuilder();
    int read;

    @BeforeEach
    void folders() throws IOException {
        models = Files.createDirectories(temp.resolve("models"));
        deploy = Files.createDirectories(temp.resolve("deploy"));
        Path model = Files.createDirectories(models.resolve(MODEL));
        try (var files = Files.list(RuntimeCommandsTest.FIXTURES.resolve(MODEL))) {
            for (Path f : files.toList()) {
                Files.copy(f, model.resolve(f.getFileName()));
            }
        }
    }

    @AfterEach
    void stop() throws Exception {
        if (shell != null) {
            shell.destroy();
            if (!shell.waitFor(20, TimeUnit.SECONDS)) {
                shell.destroyForcibly();
            }
        }
    }

    /** Item 4 of issue #5: the architecture arrives with its jar and leaves with it. */
    @Test
    void modelBundleDroppedIntoTheDeployFolderComesAndGoes() throws Exception {
        start();
        String generate = "unicorn:generate --model " + MODEL + " --ids "
                + RuntimeCommandsTest.csv(RuntimeCommandsTest.referenceIds(MODEL, "input_ids"))
                + " --max-tokens 4 --temperature 0 --print-ids";
        int[] greedy = Arrays.copyOf(RuntimeCommandsTest.referenceIds(MODEL, "greedy_ids"), 4);
        assertTrue(command("unicorn:load " + MODEL).startsWith("loaded " + MODEL + " "), output());
        assertArrayEquals(greedy, ids(command(generate)), output());

        // The built-in architecture bundle leaves: its model is unloaded, and it cannot load again.
        String uninstalled = command("unicorn:uninstall " + QWEN);
        assertTrue(uninstalled.startsWith("uninstalled " + QWEN + " "), uninstalled);
        assertTrue(status(command("unicorn:models")).equals("available"), output());
        assertFalse(hasBundle(command("unicorn:bundles")), output());
        String refused = command("unicorn:load " + MODEL);
        assertTrue(refused.contains("error: ") && refused.contains("unknown architecture"), refused);
        String self = command("unicorn:uninstall 0");
        assertTrue(self.contains("error: bundle 0 runs this shell"), self);

        // The jar dropped into the deploy folder brings the architecture back.
        Path jar = deploy.resolve(qwenJar().getFileName());
        Files.copy(qwenJar(), temp.resolve("jar.tmp"));
        Files.move(temp.resolve("jar.tmp"), jar, StandardCopyOption.ATOMIC_MOVE);
        String loaded = poll("unicorn:load " + MODEL, out -> out.startsWith("loaded " + MODEL + " "));
        assertTrue(loaded.contains("(Qwen2ForCausalLM, "), loaded);
        assertTrue(Pattern.compile("(?m)^\\d+ +" + Pattern.quote(QWEN) + " +\\S+ +ACTIVE$")
                .matcher(command("unicorn:bundles")).find(), output());
        assertArrayEquals(greedy, ids(command(generate)), output());

        // Deleting the jar uninstalls the bundle: the model is unloaded.
        Files.delete(jar);
        poll("unicorn:models", out -> status(out).equals("available"));
        assertFalse(hasBundle(command("unicorn:bundles")), output());
        refused = command("unicorn:load " + MODEL);
        assertTrue(refused.contains("unknown architecture"), refused);
        assertEquals("", command("exit").strip());
    }

    /** Item 6 of issue #5: dev.unicorn.models.cfg in the deploy folder reconfigures the running registry. */
    @Test
    void modelsCfgSetsTheBudgetAndKeepAlive() throws Exception {
        start();
        cfg("dev.unicorn.models", "memoryBudgetMiB=1");
        poll("unicorn:models", out -> out.contains("MiB of a 1.0 MiB budget in use"));
        String refused = command("unicorn:load " + MODEL);
        assertTrue(refused.matches("(?s)error: model '" + MODEL + "' needs an estimated [0-9.]+ MiB \\(weights [0-9.]+ "
                + "MiB, KV cache for \\d+ tokens [0-9.]+ MiB, working memory [0-9.]+ MiB\\) but only 1\\.0 MiB of the "
                + "1\\.0 MiB memory budget are free \\(0\\.0 MiB held by models in use\\)\\s*"), refused);

        // A larger budget, models kept forever: the model loads, and a change of budget keeps it loaded.
        cfg("dev.unicorn.models", "memoryBudgetMiB=4096", "keepAliveSeconds=-1");
        poll("unicorn:models", out -> out.contains("MiB of a 4096.0 MiB budget in use"));
        assertTrue(command("unicorn:load " + MODEL).startsWith("loaded " + MODEL + " "), output());
        cfg("dev.unicorn.models", "memoryBudgetMiB=2048", "keepAliveSeconds=-1");
        String models = poll("unicorn:models", out -> out.contains("MiB of a 2048.0 MiB budget in use"));
        assertEquals("loaded", status(models), "reconfiguring keeps loaded models: " + models);
        Thread.sleep(2500);
        assertEquals("loaded", status(command("unicorn:models")), output());

        // Keep-alive of one second: the idle model is unloaded within a few seconds.
        cfg("dev.unicorn.models", "memoryBudgetMiB=2048", "keepAliveSeconds=1");
        long t0 = System.nanoTime();
        poll("unicorn:models", out -> status(out).equals("available"));
        System.out.printf("hot deploy: an idle model was unloaded %.1f s after keepAliveSeconds=1 was written%n",
                (System.nanoTime() - t0) / 1e9);
    }

    /** A reference target in the loader's configuration chooses the backend models load on. */
    @Test
    void loaderCfgChoosesTheBackendByTarget() throws Exception {
        start();
        assertTrue(command("unicorn:load " + MODEL).startsWith("loaded " + MODEL + " "), output());
        cfg("dev.unicorn.engine.loader.DefaultModelLoader", "Backend.target=(unicorn.backend=none)");
        // No backend matches: loading fails (until the configuration arrives, a load succeeds and is undone).
        poll("unicorn:load " + models.resolve(MODEL) + " second", out -> {
            if (out.startsWith("loaded second ")) {
                command("unicorn:unload second");
                return false;
            }
            return out.contains("error: no compute backend is installed");
        });
        // The model loaded before keeps running on its backend: the loader was reconfigured, not replaced.
        String list = command("unicorn:models");
        assertEquals("loaded", status(list), "the loader's reconfiguration keeps loaded models: " + list);
        assertTrue(command("unicorn:backends").matches("(?s).*\\ncpu +\\d+ .*"), output());

        cfg("dev.unicorn.engine.loader.DefaultModelLoader", "Backend.target=(unicorn.backend=cpu)");
        String loaded = poll("unicorn:load " + models.resolve(MODEL) + " second",
                out -> out.startsWith("loaded second "));
        assertTrue(loaded.contains(" MiB on cpu) "), loaded);
        assertEquals("loaded", status(command("unicorn:models")), output());
    }

    // --- the shell ---

    private void start() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(RuntimeCommandsTest.ROOT.resolve("unicorn").toString(), "shell")
                .redirectErrorStream(true);
        pb.environment().put("UNICORN_SKIP_BUILD", "1");
        pb.environment().put("UNICORN_THREADS", "2");
        pb.environment().put("UNICORN_MODELS", models.toString());
        pb.environment().put("UNICORN_DEPLOY", deploy.toString());
        shell = pb.start();
        stdin = shell.getOutputStream();
        Thread.ofPlatform().daemon().start(() -> {
            try (Reader r = new InputStreamReader(shell.getInputStream(), StandardCharsets.UTF_8)) {
                char[] buffer = new char[4096];
                int n;
                while ((n = r.read(buffer)) >= 0) {
                    synchronized (output) {
                        output.append(buffer, 0, n);
                        output.notifyAll();
                    }
                }
            } catch (IOException e) {
                // the shell ended
            }
        });
        untilPrompt("the shell's first prompt", 120);
    }

    /** Writes one command; returns what the shell printed (stdout and stderr) until its next prompt. */
    private String command(String command) {
        try {
            stdin.write((command + "\n").getBytes(StandardCharsets.UTF_8));
            stdin.flush();
            return untilPrompt(command, 120);
        } catch (IOException | InterruptedException e) {
            throw new AssertionError(command + ": " + e + "\n" + output(), e);
        }
    }

    private String untilPrompt(String what, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        synchronized (output) {
            while (true) {
                int at = output.indexOf(PROMPT, read);
                if (at >= 0) {
                    String out = output.substring(read, at);
                    read = at + PROMPT.length();
                    return out.strip();
                }
                boolean ended = !shell.isAlive();
                long left = deadline - System.nanoTime();
                if (left <= 0 || ended && output.indexOf(PROMPT, read) < 0) {
                    if (what.equals("exit") && ended) {
                        String out = output.substring(read);
                        read = output.length();
                        return out;
                    }
                    throw new AssertionError("no prompt after '" + what + "' in " + seconds + " s: " + output);
                }
                output.wait(Math.max(1, Math.min(200, TimeUnit.NANOSECONDS.toMillis(left))));
            }
        }
    }

    /** Repeats a command (every 250 ms, at most 20 s) until its output satisfies {@code done}; returns that output. */
    private String poll(String command, Predicate<String> done) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        String out;
        while (!done.test(out = command(command))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("'" + command + "' did not change in 20 s; last output: " + out
                        + "\ndeploy folder: " + list(deploy) + "\nthe shell's output:\n" + output());
            }
            Thread.sleep(250);
        }
        return out;
    }

    private static String list(Path folder) {
        try (var files = Files.list(folder)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList().toString();
        } catch (IOException e) {
            return e.toString();
        }
    }

    private String output() {
        synchronized (output) {
            return output.toString();
        }
    }

    /** Writes a configuration file into the deploy folder in one step (FileInstall never sees half of it). */
    private void cfg(String pid, String... lines) throws IOException {
        Path tmp = temp.resolve(pid + ".tmp");
        Files.writeString(tmp, String.join("\n", lines) + "\n");
        Files.move(tmp, deploy.resolve(pid + ".cfg"), StandardCopyOption.ATOMIC_MOVE,
                StandardCopyOption.REPLACE_EXISTING);
    }

    /** The status column of the test model in unicorn:models output. */
    private static String status(String models) {
        return Arrays.stream(models.split("\n")).map(String::trim).filter(l -> l.startsWith(MODEL + " ")).findFirst()
                .map(l -> l.split("\\s+")[1]).orElse("missing: " + models);
    }

    /** The ids unicorn:generate --print-ids prints on its first line (the statistics line follows). */
    private static int[] ids(String generated) {
        return RuntimeCommandsTest.parseIds(generated.split("\n")[0]);
    }

    private static boolean hasBundle(String bundles) {
        return Pattern.compile("(?m)^\\d+ +" + Pattern.quote(QWEN) + " ").matcher(bundles).find();
    }

    private static Path qwenJar() throws IOException {
        Path target = RuntimeCommandsTest.ROOT.resolve("model-bundles/qwen/target");
        try (var files = Files.list(target)) {
            return files.filter(f -> f.getFileName().toString().matches("model-qwen-[0-9][^-]*(-SNAPSHOT)?\\.jar"))
                    .findFirst().orElseThrow(() -> new AssertionError("no model-qwen jar in " + target
                            + " (build the reactor)"));
        }
    }
}
