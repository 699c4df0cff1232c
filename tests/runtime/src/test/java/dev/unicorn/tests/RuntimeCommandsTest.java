package dev.unicorn.tests;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import dev.unicorn.api.weights.WeightTensor;
import dev.unicorn.api.weights.WeightsSource;
import dev.unicorn.engine.weights.SafetensorsFormat;

/**
 * Runs the exported runtime the way users do, through {@code ./unicorn}, on the transformers fixtures: every
 * command goes through Felix, Declarative Services, the CLI frontend bundle and the real model bundles.
 */
class RuntimeCommandsTest {
    static final Path ROOT = Path.of(System.getProperty("unicorn.root", "../..")).toAbsolutePath().normalize();
    static final Path FIXTURES = ROOT.resolve("fixtures/qwen");

    @TempDir
    Path temp;

    record Result(int status, String out, String err) {
    }

    static Result unicorn(String stdin, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(ROOT.resolve("unicorn").toString());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("UNICORN_SKIP_BUILD", "1");
        pb.environment().put("UNICORN_THREADS", "2");
        Path out = Files.createTempFile("unicorn-out", ".txt");
        Path err = Files.createTempFile("unicorn-err", ".txt");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile());
        Process p = pb.start();
        try (var in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("unicorn " + String.join(" ", args) + " did not finish in 120 s");
        }
        Result r = new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        Files.delete(out);
        Files.delete(err);
        return r;
    }

    static int[] referenceIds(String fixture, String name) {
        try (WeightsSource ref = new SafetensorsFormat().open(FIXTURES.resolve(fixture).resolve("reference.safetensors"))) {
            long[] v = ref.find(name).orElseThrow().data().toArray(ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN));
            return Arrays.stream(v).mapToInt(Math::toIntExact).toArray();
        }
    }

    static String csv(int[] ids) {
        return Arrays.stream(ids).mapToObj(Integer::toString).collect(Collectors.joining(","));
    }

    static int[] parseIds(String line) {
        return Arrays.stream(line.trim().split(",")).mapToInt(Integer::parseInt).toArray();
    }

    @ParameterizedTest
    @ValueSource(strings = {"qwen2-tiny", "qwen2-tied", "qwen3-tiny", "qwen2-sliding"})
    void generatePrintsTheGreedyIdsOfTransformers(String fixture) throws Exception {
        Result r = unicorn(null, "generate", "--model", FIXTURES.resolve(fixture).toString(), "--ids",
                csv(referenceIds(fixture, "input_ids")), "--max-tokens", "16", "--temperature", "0", "--print-ids");
        assertEquals(0, r.status(), r.err());
        assertArrayEquals(referenceIds(fixture, "greedy_ids"), parseIds(r.out()), r.out());
        assertTrue(r.err().contains("tokens/s"), "the stats line reports throughput: " + r.err());
    }

    /** Gemma 3 through the exported runtime: the model-gemma3 bundle is resolved, registered and found by name. */
    @ParameterizedTest
    @ValueSource(strings = {"gemma3-tiny", "gemma3-vlm"})
    void gemma3GeneratesTheGreedyIdsOfTransformers(String fixture) throws Exception {
        Path dir = ROOT.resolve("fixtures/gemma3").resolve(fixture);
        String prompt = new String(Files.readAllBytes(dir.resolve("reference.json")), StandardCharsets.UTF_8)
                .replaceAll("(?s).*\"prompt\": \"([^\"]*)\".*", "$1");
        Result r = unicorn(null, "generate", "--model", dir.toString(), "--prompt", prompt, "--max-tokens", "16",
                "--temperature", "0", "--print-ids");
        assertEquals(0, r.status(), r.err());
        try (WeightsSource ref = new SafetensorsFormat().open(dir.resolve("reference.safetensors"))) {
            long[] v = ref.find("prompt_greedy_ids").orElseThrow().data()
                    .toArray(ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN));
            assertArrayEquals(Arrays.stream(v).mapToInt(Math::toIntExact).toArray(), parseIds(r.out()), r.out());
        }
    }

    @Test
    void textPromptIsTokenizedAsTransformersDoes() throws Exception {
        String prompt = new String(Files.readAllBytes(FIXTURES.resolve("qwen2-tiny/reference.json")),
                StandardCharsets.UTF_8).replaceAll("(?s).*\"prompt\": \"([^\"]*)\".*", "$1");
        Result r = unicorn(null, "generate", "--model", FIXTURES.resolve("qwen2-tiny").toString(), "--prompt", prompt,
                "--max-tokens", "16", "--temperature", "0", "--print-ids");
        assertEquals(0, r.status(), r.err());
        assertArrayEquals(referenceIds("qwen2-tiny", "prompt_greedy_ids"), parseIds(r.out()));
    }

    @Test
    void streamedTextEndsWithAThroughputLine() throws Exception {
        Result r = unicorn(null, "generate", "--model", FIXTURES.resolve("qwen2-tiny").toString(), "--prompt",
                "The quick brown fox", "--max-tokens", "8", "--temperature", "0.7", "--seed", "7");
        assertEquals(0, r.status(), r.err());
        String[] lines = r.out().strip().split("\n");
        String last = lines[lines.length - 1];
        assertTrue(last.matches("\\[prompt: \\d+ tokens, [0-9.]+ tokens/s \\| decode: \\d+ tokens, [0-9.]+ tokens/s.*\\]"),
                last);
    }

    @Test
    void theSameSeedGivesTheSameTokens() throws Exception {
        String model = FIXTURES.resolve("qwen3-tiny").toString();
        String[] args = {"generate", "--model", model, "--ids", "5,6,7,8", "--max-tokens", "24", "--temperature", "1.0",
            "--top-k", "0", "--top-p", "1", "--min-p", "0", "--ignore-eos", "--print-ids", "--seed"};
        String a = unicorn(null, concat(args, "11")).out();
        String b = unicorn(null, concat(args, "11")).out();
        String c = unicorn(null, concat(args, "12")).out();
        assertEquals(a, b);
        assertEquals(24, parseIds(a).length);
        assertNotEquals(a, c, "another seed samples other tokens");
    }

    private static String[] concat(String[] a, String last) {
        String[] r = Arrays.copyOf(a, a.length + 1);
        r[a.length] = last;
        return r;
    }

    @Test
    void logitsCommandWritesTheReferenceLogits() throws Exception {
        String fixture = "qwen3-tiny";
        Path out = temp.resolve("logits.safetensors");
        Result r = unicorn(null, "logits", "--model", FIXTURES.resolve(fixture).toString(), "--ids",
                csv(referenceIds(fixture, "input_ids")), "--out", out.toString());
        assertEquals(0, r.status(), r.err());
        try (WeightsSource mine = new SafetensorsFormat().open(out);
                WeightsSource ref = new SafetensorsFormat().open(FIXTURES.resolve(fixture).resolve("reference.safetensors"))) {
            WeightTensor expected = ref.find("logits").orElseThrow();
            WeightTensor actual = mine.require("logits", expected.shape());
            float[] e = expected.data().toArray(ValueLayout.JAVA_FLOAT.withOrder(ByteOrder.LITTLE_ENDIAN));
            float[] a = actual.data().toArray(ValueLayout.JAVA_FLOAT.withOrder(ByteOrder.LITTLE_ENDIAN));
            double maxRef = 0;
            double maxDiff = 0;
            for (int i = 0; i < e.length; i++) {
                maxRef = Math.max(maxRef, Math.abs(e[i]));
                maxDiff = Math.max(maxDiff, Math.abs(e[i] - a[i]));
            }
            assertTrue(maxDiff <= 1e-4 * maxRef, "max|Δ| " + maxDiff + " vs max|logit| " + maxRef);
        }
    }

    @Test
    void gogoShellRunsTheSameCommands() throws Exception {
        String fixture = "qwen2-tiny";
        String line = "unicorn:generate --model " + FIXTURES.resolve(fixture) + " --ids "
                + csv(referenceIds(fixture, "input_ids")) + " --max-tokens 16 --temperature 0 --print-ids\nlb -s\nexit\n";
        Result r = unicorn(line, "shell");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains(csv(referenceIds(fixture, "greedy_ids"))), r.out());
        assertTrue(r.out().contains("dev.unicorn.model-qwen"), "lb lists the bundles: " + r.out());
    }

    /**
     * The admin commands in the shell: the default model is loaded through the registry, listed, used by id from
     * unicorn:generate (llama.cpp's greedy ids), unloaded; backends, bundles and statistics are listed.
     */
    @Test
    void gogoShellLoadsListsAndUnloadsModels() throws Exception {
        Path model = DefaultModelTest.DEFAULT_MODEL;
        String id = "gemma-3-270m-q4_k_m";
        String commands = String.join("\n", "unicorn:models", "unicorn:load " + model, "unicorn:models",
                "unicorn:generate --model " + id + " --prompt 'What is the capital of France?' --temperature 0"
                        + " --max-tokens 8 --print-ids",
                "unicorn:stats", "unicorn:load " + model, "unicorn:load " + model + " second", "unicorn:models", "unicorn:unload " + id,
                "unicorn:unload second", "unicorn:models", "unicorn:backends", "unicorn:bundles", "unicorn:unload nope",
                "unicorn:load " + temp.resolve("missing"), "exit") + "\n";
        Result r = unicorn(commands, "shell");
        assertEquals(0, r.status(), r.err());
        // The shell prints its prompt before each command: section i is the output of command i.
        String[] out = r.out().split("unicorn> ", -1);
        // The default model sits in the models directory: available before it is loaded.
        assertTrue(Arrays.stream(out[1].strip().split("\n")).anyMatch(line -> line.matches(id
                + " +available +- +- +- +- +- +" + Pattern.quote(model.toString()))), out[1]);
        assertTrue(out[2].matches("(?s)loaded " + id + " \\(Gemma3ForCausalLM, 268,098,176 parameters, 235\\.2 MiB on "
                + "cpu\\) in [0-9.]+ s\\s*"), out[2]);
        String[] rows = out[3].strip().split("\n");
        assertEquals(3, rows.length, out[3]);
        assertTrue(rows[0].matches("ID +STATUS +ARCHITECTURE +BACKEND +PARAMETERS +WEIGHT MiB +LOADED AT +LOCATION"),
                rows[0]);
        assertTrue(rows[1].matches(id + " +loaded +Gemma3ForCausalLM +cpu +268,098,176 +235\\.2 "
                + "+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d +" + Pattern.quote(model.toString())), rows[1]);
        assertTrue(rows[2].matches("memory: [0-9.]+ MiB of a [0-9.]+ MiB budget in use"), rows[2]);
        assertEquals("3689,563,506,5279,529,7001,236881,217716", out[4].strip(),
                "generate uses the registered model by id (llama.cpp's first 8 greedy ids)");
        assertTrue(out[5].contains("completed: 1") && out[5].contains("prompt tokens: 16")
                && out[5].contains("generated tokens: 8") && out[5].contains("running: 0"), out[5]);
        assertEquals(id + " is already loaded", out[6].strip());
        assertTrue(out[7].startsWith("loaded second "), out[7]);
        assertEquals(2, out[8].strip().split("\n").length - 2, "two models under two ids: " + out[8]);
        assertEquals("unloaded " + id, out[9].strip());
        assertEquals("unloaded second", out[10].strip());
        assertTrue(out[11].contains(id + " ") && out[11].contains("second ") && !out[11].contains(" loaded "),
                "both known, none loaded: " + out[11]);
        assertTrue(out[12].strip().split("\n")[1].matches("cpu +\\d+ +F32,F16,BF16,.*Q4_K.* +CPU.*"), out[12]);
        assertTrue(out[13].matches("(?s).*\\d+ +dev\\.unicorn\\.frontend-chat +0\\.1\\.0\\S* +ACTIVE.*"), out[13]);
        assertTrue(out[13].matches("(?s).*\\d+ +org\\.jline +3\\.30\\.0 +ACTIVE.*"), out[13]);
        assertTrue(r.err().contains("error: no model with id 'nope' is loaded; loaded: none"), r.err());
        assertTrue(r.err().contains("error: " + temp.resolve("missing") + ": no such model folder or file"), r.err());
    }

    @Test
    void benchStreamsPrintsOneRowPerStreamCount() throws Exception {
        Result r = unicorn(null, "bench", "--model", FIXTURES.resolve("qwen2-tiny").toString(), "--streams", "1,3",
                "--prompt-tokens", "5", "--gen-tokens", "6");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("| streams | aggregate decode tokens/s | per-stream tokens/s | wall time s |"),
                r.out());
        for (String streams : new String[] {"1", "3"}) {
            String row = "\\| " + streams + " \\| [0-9.]+ \\| [0-9.]+ \\| [0-9.]+ \\|";
            assertTrue(r.out().lines().anyMatch(l -> l.matches(row)), r.out());
        }
        Result bad = unicorn(null, "bench", "--model", FIXTURES.resolve("qwen2-tiny").toString(), "--streams", "1,0");
        assertEquals(2, bad.status());
        assertTrue(bad.err().contains("--streams takes stream counts of at least 1"), bad.err());
    }

    @Test
    void badInputEndsWithOneClearError() throws Exception {
        Result missing = unicorn(null, "generate", "--model", temp.resolve("nope").toString(), "--ids", "1,2");
        assertEquals(1, missing.status());
        assertTrue(missing.err().contains("no such model folder"), missing.err());

        Path unknown = Files.createDirectories(temp.resolve("unknown"));
        Files.writeString(unknown.resolve("config.json"), "{\"architectures\": [\"LlamaForCausalLM\"]}");
        Result arch = unicorn(null, "logits", "--model", unknown.toString(), "--ids", "1", "--out",
                temp.resolve("x").toString());
        assertEquals(1, arch.status());
        assertTrue(arch.err().contains("unknown architecture [LlamaForCausalLM]"), arch.err());

        Result outOfVocab = unicorn(null, "generate", "--model", FIXTURES.resolve("qwen2-tiny").toString(), "--ids",
                "1,99999", "--temperature", "0");
        assertEquals(2, outOfVocab.status());
        assertTrue(outOfVocab.err().contains("99999") && outOfVocab.err().contains("vocabulary"), outOfVocab.err());

        Result usage = unicorn(null, "generate", "--model", "x", "--frobnicate", "1");
        assertEquals(2, usage.status());
        assertTrue(usage.err().contains("unknown argument '--frobnicate'"), usage.err());

        Result noCommand = unicorn(null, "fly");
        assertEquals(2, noCommand.status());
        assertTrue(noCommand.err().contains("unknown command 'fly'"), noCommand.err());
    }
}
