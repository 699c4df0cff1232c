package dev.unicorn.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./unicorn chat} on a real pseudo-terminal: the runtime runs in a tmux session of its own server, keys are
 * typed with {@code tmux send-keys} and the screen is read with {@code tmux capture-pane}, so JLine, the terminal's
 * signals (Ctrl-C, Ctrl-D) and the streamed output are exercised as a user sees them. tools/test.sh installs tmux
 * when it can; without it these tests are skipped.
 */
class ChatTerminalTest {
    static final String QUESTION = "What is the capital of France?";
    static final int ANSWER_TOKENS = 24;
    static final long WAIT_SECONDS = 240;

    @TempDir
    Path temp;

    private String socket;

    @BeforeEach
    void needsTmux() throws Exception {
        Assumptions.assumeTrue(run("tmux", "-V").status() == 0,
                "tmux is not installed: the terminal tests of ./unicorn chat need it (apt-get install tmux)");
        Assumptions.assumeTrue(Files.isRegularFile(DefaultModelTest.DEFAULT_MODEL),
                "the default model is missing: tools/fetch-default-model.sh fetches it");
        socket = "unicorn-chat-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
    }

    @AfterEach
    void killTmux() throws Exception {
        if (socket != null) {
            run("tmux", "-L", socket, "kill-server");
        }
    }

    /** The greedy answer of ./unicorn generate to the same prompt, without its statistics line. */
    private static String generated(String prompt, int maxTokens) throws Exception {
        RuntimeCommandsTest.Result r = RuntimeCommandsTest.unicorn(null, "generate", "--prompt", prompt,
                "--temperature", "0", "--max-tokens", Integer.toString(maxTokens));
        assertEquals(0, r.status(), r.err());
        List<String> lines = new ArrayList<>(Arrays.asList(r.out().split("\n", -1)));
        while (lines.getLast().isEmpty()) {
            lines.removeLast();
        }
        assertTrue(lines.getLast().startsWith("[prompt: "), r.out());
        lines.removeLast();
        return normalize(String.join("\n", lines));
    }

    @Test
    void streamsTheGreedyAnswerOfGenerateAndCtrlCStopsALongAnswer() throws Exception {
        String expected = generated(QUESTION, ANSWER_TOKENS);
        assertTrue(!expected.isBlank(), "generate answered nothing");

        start("--max-tokens", Integer.toString(ANSWER_TOKENS));
        String banner = waitFor("the banner and the prompt", s -> s.contains("Chatting with gemma-3-270m-q4_k_m")
                && promptIsLast(s));
        assertTrue(banner.contains("/help for commands"), banner);

        type("/set temperature 0");
        waitFor("the new temperature", s -> s.contains("temperature = 0") && promptIsLast(s));
        type("/set temperature hot");
        String refused = waitFor("the refused value", s -> s.contains("error: temperature expects a number, got 'hot'")
                && promptIsLast(s));
        type("/set frobnicate 1");
        waitFor("the unknown setting", s -> s.contains("error: unknown setting 'frobnicate'; settings: temperature,")
                && promptIsLast(s));

        type(QUESTION);
        String screen = waitFor("the answer", s -> answerAfter(s, QUESTION, 1) != null);
        assertEquals(expected, answerAfter(screen, QUESTION, 1), "the chat answers as generate --temperature 0 does");

        type("/stats");
        screen = waitFor("the statistics", s -> s.contains("last answer:") && promptIsLast(s));
        Matcher m = Pattern.compile("last answer: (\\d+) tokens, ([0-9.]+) tokens/s \\| prompt: (\\d+) tokens, "
                + "([0-9.]+) tokens/s \\| context: (\\d+) / (\\d+) tokens \\| (\\w+)").matcher(screen);
        assertTrue(m.find(), screen);
        int answerTokens = Integer.parseInt(m.group(1));
        int promptTokens = Integer.parseInt(m.group(3));
        assertEquals(ANSWER_TOKENS, answerTokens, screen);
        assertTrue(Double.parseDouble(m.group(2)) > 0 && Double.parseDouble(m.group(4)) > 0, screen);
        assertTrue(promptTokens > 5, screen);
        assertEquals(promptTokens + answerTokens, Integer.parseInt(m.group(5)), "context used: " + screen);
        assertEquals(32768, Integer.parseInt(m.group(6)), "Gemma 3 270M's context length: " + screen);
        assertEquals("length", m.group(7));

        // A long answer, stopped with Ctrl-C once it streams: the chat returns to the prompt and keeps working.
        type("/set max-tokens 400");
        waitFor("max-tokens", s -> s.contains("max-tokens = 400") && promptIsLast(s));
        String story = "Tell me a long story about a dragon!";
        type(story);
        waitFor("the story to stream", s -> linesAfter(s, "> " + story).stream().anyMatch(l -> !l.isBlank()));
        keys("C-c");
        waitFor("the cancelled answer", s -> s.contains("(cancelled)") && promptIsLast(s));
        type("/stats");
        screen = waitFor("the statistics of the cancelled answer", s -> s.contains("| cancelled") && promptIsLast(s));
        m = Pattern.compile("last answer: (\\d+) tokens.*\\| cancelled").matcher(screen);
        assertTrue(m.find() && Integer.parseInt(m.group(1)) < 400, screen);

        type("/clear");
        waitFor("the cleared conversation", s -> s.contains("(conversation cleared)") && promptIsLast(s));
        type("/set max-tokens " + ANSWER_TOKENS);
        waitFor("max-tokens", s -> s.contains("max-tokens = " + ANSWER_TOKENS) && promptIsLast(s));
        type(QUESTION);
        screen = waitFor("the second answer", s -> answerAfter(s, QUESTION, 2) != null);
        assertEquals(expected, answerAfter(screen, QUESTION, 2), "after Ctrl-C the chat still answers");

        // Ctrl-C at the prompt drops the typed line; Ctrl-D leaves with status 0.
        keys("some half-typed words");
        waitFor("the typed words", s -> lastLine(s).equals("> some half-typed words"));
        keys("C-c");
        waitFor("the emptied prompt", s -> promptIsLast(s));
        type("/help");
        screen = waitFor("the help", s -> s.contains("\n> /help\n") && s.contains("Ctrl-C stops an answer")
                && promptIsLast(s));
        assertTrue(!screen.contains("half-typed words/help"), screen);
        keys("C-d");
        screen = waitFor("the end of the chat", s -> s.contains("[exit "));
        assertTrue(screen.contains("[exit 0]"), screen);
        String history = Files.readString(temp.resolve("home/.unicorn/chat-history"), StandardCharsets.UTF_8);
        assertTrue(history.contains(QUESTION) && history.contains("/set temperature 0"), history);
    }

    /** Without a terminal (piped input) the chat reads line by line: answers on stdout, errors on stderr. */
    @Test
    void pipedChatAnswersLineByLine() throws Exception {
        String expected = generated(QUESTION, ANSWER_TOKENS);
        String input = String.join("\n", QUESTION, "/set top-k x", "/stats", "/system Answer in one word.\\",
                "Be polite.", QUESTION, "/stats", "/exit", "not read") + "\n";
        RuntimeCommandsTest.Result r = RuntimeCommandsTest.unicorn(input, "chat", "--temperature", "0",
                "--max-tokens", Integer.toString(ANSWER_TOKENS));
        assertEquals(0, r.status(), r.err());
        assertTrue(normalize(r.out()).contains("> " + expected + "\n> "), r.out());
        Matcher stats = Pattern.compile("> last answer: (\\d+) tokens, [0-9.]+ tokens/s \\| prompt: (\\d+) tokens")
                .matcher(r.out());
        assertTrue(stats.find(), r.out());
        assertEquals(ANSWER_TOKENS, Integer.parseInt(stats.group(1)), r.out());
        int promptTokens = Integer.parseInt(stats.group(2));
        // The continued /system line is one system prompt; it starts over, so the prompt is the question with it.
        assertTrue(r.out().contains("> (system prompt set, conversation cleared)"), r.out());
        assertTrue(stats.find(), r.out());
        assertTrue(Integer.parseInt(stats.group(2)) > promptTokens + 5
                && Integer.parseInt(stats.group(2)) < promptTokens + 20, "the system prompt's tokens: " + r.out());
        assertTrue(!r.out().contains("not read"), "/exit ends the chat: " + r.out());
        assertTrue(r.err().contains("error: top-k expects an integer, got 'x'"), r.err());
        assertTrue(r.err().matches("(?s).*\\[" + ANSWER_TOKENS + " tokens, [0-9.]+ tokens/s\\].*"), r.err());

        RuntimeCommandsTest.Result usage = RuntimeCommandsTest.unicorn("", "chat", "--temperature", "hot");
        assertEquals(2, usage.status());
        assertTrue(usage.err().contains("error: chat: temperature expects a number, got 'hot'"), usage.err());
        RuntimeCommandsTest.Result missing = RuntimeCommandsTest.unicorn("", "chat", "--model",
                temp.resolve("nope").toString());
        assertEquals(1, missing.status());
        assertTrue(missing.err().contains("no such file or folder"), missing.err());
    }

    @Test
    void modelSwitchesWithoutRestarting() throws Exception {
        // A second model with a chat template: the tiny Qwen2 fixture with Qwen2.5's template.
        Path qwen = Files.createDirectories(temp.resolve("qwen-chat"));
        try (var files = Files.list(RuntimeCommandsTest.FIXTURES.resolve("qwen2-tiny"))) {
            for (Path f : files.toList()) {
                Files.copy(f, qwen.resolve(f.getFileName()));
            }
        }
        Files.copy(RuntimeCommandsTest.ROOT.resolve("fixtures/chat-templates/qwen2.5/tokenizer_config.json"),
                qwen.resolve("tokenizer_config.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        start("--max-tokens", "8", "--temperature", "0");
        waitFor("the prompt", s -> s.contains("Chatting with gemma-3-270m-q4_k_m") && promptIsLast(s));
        type("/models");
        waitFor("the model list", s -> s.contains("* gemma-3-270m-q4_k_m  " + DefaultModelTest.DEFAULT_MODEL)
                && promptIsLast(s));

        type("/model " + qwen);
        waitFor("the switch", s -> s.contains("(now chatting with qwen-chat, Qwen2ForCausalLM)") && promptIsLast(s));
        type("/models");
        String screen = waitFor("the new model list", s -> s.contains("* qwen-chat  " + qwen) && promptIsLast(s));
        String list = screen.substring(screen.lastIndexOf("> /models"));
        assertTrue(list.contains("  gemma-3-270m-q4_k_m  " + DefaultModelTest.DEFAULT_MODEL + "  (available)"),
                "the chat unloaded the model it had loaded, which stays available: " + list);
        type("/stats");
        waitFor("the new model's context", s -> s.contains("no answer yet | context: 0 / 256 tokens")
                && promptIsLast(s));
        type("hello");
        waitFor("an answer of the new model", s -> answerAfter(s, "hello", 1) != null);
        // The tiny model's context is 256 tokens: a longer conversation is refused, and the chat goes on.
        String tooLong = "word ".repeat(300).strip();
        type(tooLong);
        waitFor("the refused message", s -> s.matches("(?s).*error: the prompt has \\d+ tokens; the model's context is 256 "
                + "\\(/clear starts over\\).*") && promptIsLast(s));

        type("/model " + temp.resolve("nope"));
        waitFor("the refused switch", s -> s.contains("error: no model has the id '" + temp.resolve("nope")
                + "' and there is no such file or folder") && promptIsLast(s));
        type("/model");
        waitFor("the current model", s -> s.contains("qwen-chat (" + qwen + ")") && promptIsLast(s));
        type("/model " + DefaultModelTest.DEFAULT_MODEL);
        waitFor("the switch back", s -> s.contains("(now chatting with gemma-3-270m-q4_k_m, Gemma3ForCausalLM)")
                && promptIsLast(s));
        type("/exit");
        screen = waitFor("the end of the chat", s -> s.contains("[exit "));
        assertTrue(screen.contains("[exit 0]"), screen);
    }

    private void start(String... chatArgs) throws Exception {
        Path home = Files.createDirectories(temp.resolve("home"));
        StringBuilder command = new StringBuilder("cd ").append(quote(RuntimeCommandsTest.ROOT.toString()))
                .append(" && env UNICORN_SKIP_BUILD=1 UNICORN_THREADS=2 UNICORN_MODELS=")
                .append(quote(DefaultModelTest.DEFAULT_MODEL.getParent().toString()))
                .append(" UNICORN_JAVA_OPTS=").append(quote("-Duser.home=" + home))
                .append(" ./unicorn chat");
        for (String a : chatArgs) {
            command.append(' ').append(quote(a));
        }
        command.append("; echo \"[exit $?]\"; sleep 3600");
        Result r = run("tmux", "-L", socket, "-f", "/dev/null", "new-session", "-d", "-s", "chat", "-x", "220", "-y",
                "50", command.toString());
        assertEquals(0, r.status(), "tmux new-session: " + r.out());
    }

    /** Types a line and presses Enter. */
    private void type(String line) throws Exception {
        keys("-l", line);
        keys("Enter");
    }

    private void keys(String... keys) throws Exception {
        List<String> command = new ArrayList<>(List.of("tmux", "-L", socket, "send-keys", "-t", "chat"));
        command.addAll(List.of(keys));
        Result r = run(command.toArray(String[]::new));
        assertEquals(0, r.status(), "tmux send-keys: " + r.out());
    }

    /** The whole pane, scroll-back included, wrapped lines joined, trailing blanks dropped. */
    private String screen() throws Exception {
        Result r = run("tmux", "-L", socket, "capture-pane", "-p", "-J", "-S", "-", "-t", "chat");
        assertEquals(0, r.status(), "tmux capture-pane: " + r.out());
        return normalize(r.out());
    }

    private String waitFor(String what, Predicate<String> ready) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        String screen = screen();
        while (!ready.test(screen)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + what + " on the screen after " + WAIT_SECONDS + " s:\n" + screen);
            }
            Thread.sleep(200);
            screen = screen();
        }
        return screen;
    }

    private static String normalize(String text) {
        return text.lines().map(String::stripTrailing).reduce((a, b) -> a + "\n" + b).orElse("").stripTrailing();
    }

    private static String lastLine(String screen) {
        String[] lines = screen.split("\n");
        return lines[lines.length - 1];
    }

    private static boolean promptIsLast(String screen) {
        return lastLine(screen).equals(">");
    }

    /** The lines after the last line equal to {@code marker}. */
    private static List<String> linesAfter(String screen, String marker) {
        List<String> lines = List.of(screen.split("\n", -1));
        int at = lines.lastIndexOf(marker);
        return at < 0 ? List.of() : lines.subList(at + 1, lines.size());
    }

    /**
     * The answer to the {@code n}-th message {@code message} on the screen, once the prompt follows it; else null.
     */
    private static String answerAfter(String screen, String message, int n) {
        List<String> lines = List.of(screen.split("\n", -1));
        int seen = 0;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).equals("> " + message) && ++seen == n) {
                for (int j = i + 1; j < lines.size(); j++) {
                    if (lines.get(j).equals(">") || lines.get(j).startsWith("> ")) {
                        return normalize(String.join("\n", lines.subList(i + 1, j)));
                    }
                }
                return null;
            }
        }
        return null;
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    record Result(int status, String out) {
    }

    private static Result run(String... command) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            return new Result(127, e.getMessage());
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return new Result(124, out);
        }
        return new Result(p.exitValue(), out);
    }
}
