package dev.unicorn.model.gemma3;

import static dev.unicorn.testing.StructuredOutputChecks.PERSON;
import static dev.unicorn.testing.StructuredOutputChecks.SHORT_PERSON;
import static dev.unicorn.testing.StructuredOutputChecks.TOOLS;
import static dev.unicorn.testing.StructuredOutputChecks.assertPerson;
import static dev.unicorn.testing.StructuredOutputChecks.assertToolCall;
import static dev.unicorn.testing.StructuredOutputChecks.parse;
import static dev.unicorn.testing.StructuredOutputChecks.sample;
import static dev.unicorn.testing.StructuredOutputChecks.schema;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.unicorn.api.generation.FinishReason;
import dev.unicorn.api.generation.GenerationResult;
import dev.unicorn.api.generation.TokenConstraint;
import dev.unicorn.api.model.Model;
import dev.unicorn.backend.cpu.CpuBackend;
import dev.unicorn.engine.loader.DefaultModelLoader;
import dev.unicorn.engine.structured.JsonStructuredOutput;
import dev.unicorn.engine.weights.GgufFormat;
import dev.unicorn.tokenizer.gguf.GgufTokenizerProvider;

/**
 * Constrained decoding end to end: sampled at temperature 1 under a JSON Schema, the output must parse and be valid.
 * On the tiny random-weight fixture and on the default model (Gemma 3 270M, 262k tokens, SentencePiece with byte
 * fallback) when it is present.
 */
class StructuredOutputTest {
    static final Path DEFAULT_MODEL = System.getenv("UNICORN_MODELS") != null
            ? Path.of(System.getenv("UNICORN_MODELS"), "gemma-3-270m-q4_k_m.gguf")
            : Path.of(System.getProperty("user.home"), ".unicorn/models/gemma-3-270m-q4_k_m.gguf");

    private static CpuBackend backend;
    private final JsonStructuredOutput structured = new JsonStructuredOutput();

    @BeforeAll
    static void setUp() {
        backend = new CpuBackend(2);
    }

    @AfterAll
    static void tearDown() {
        backend.close();
    }

    private TokenConstraint constraint(Model model, String which) {
        return switch (which) {
            case "tools" -> structured.jsonSchema(model, schema(TOOLS));
            case "person" -> structured.jsonSchema(model, schema(PERSON));
            case "short person" -> structured.jsonSchema(model, schema(SHORT_PERSON));
            default -> structured.jsonObject(model);
        };
    }

    private static void assertValid(String which, String text) {
        switch (which) {
            case "tools" -> assertToolCall(text);
            case "person" -> assertPerson(text, Integer.MAX_VALUE);
            case "short person" -> assertPerson(text, 3);
            default -> assertTrue(parse(text).isObject(), text);
        }
    }

    /**
     * The random-weight model rarely picks a closing quote, so a free string may run to the end of its short context
     * (256 positions): such a sample is counted, and most must end under a schema. Every sample that ends is valid.
     */
    @Test
    void tinyModelSamplesValidJson() throws Exception {
        DefaultModelLoader loader = Fixtures.FIXTURES.loader(backend);
        try (Model model = loader.load(Fixtures.FIXTURES.fixture("gemma3-tiny"), null)) {
            int[] prompt = model.tokenizer().orElseThrow().encode("Answer in JSON:", true);
            int seeds = 8;
            for (String which : List.of("tools", "short person", "object")) {
                int stopped = 0;
                for (long seed = 1; seed <= seeds; seed++) {
                    GenerationResult r = sample(model, prompt, constraint(model, which), seed, 1000);
                    if (r.finishReason() != FinishReason.STOP) {
                        assertEquals(FinishReason.LENGTH, r.finishReason(), r.text());
                        continue;
                    }
                    stopped++;
                    assertValid(which, r.text());
                }
                System.out.println("tiny model, " + which + ": " + stopped + " of " + seeds + " samples ended");
                // json_object's free keys, strings and nesting rarely end within the context on random weights
                assertTrue(which.equals("object") || stopped >= seeds / 2, which + ": only " + stopped + " of "
                        + seeds + " samples ended");
            }
        }
    }

    private Model defaultModel() {
        assumeTrue(Files.isRegularFile(DEFAULT_MODEL), "the default model is not at " + DEFAULT_MODEL);
        DefaultModelLoader loader = new DefaultModelLoader();
        loader.addArchitecture(new Gemma3Architecture());
        loader.addFormat(new GgufFormat());
        loader.addBackend(backend);
        loader.addTokenizerProvider(new GgufTokenizerProvider());
        return loader.load(DEFAULT_MODEL, null);
    }

    /** Times the masks of a constraint. */
    private static final class Timed implements TokenConstraint {
        final TokenConstraint inner;
        long nanos;
        long worst;
        int masks;

        Timed(TokenConstraint inner) {
            this.inner = inner;
        }

        @Override
        public void mask(float[] logits) {
            long t = System.nanoTime();
            inner.mask(logits);
            long d = System.nanoTime() - t;
            nanos += d;
            worst = Math.max(worst, d);
            masks++;
        }

        @Override
        public void accept(int tokenId) {
            inner.accept(tokenId);
        }

        @Override
        public boolean complete() {
            return inner.complete();
        }
    }

    @Test
    void defaultModelSamplesValidJson() throws Exception {
        try (Model model = defaultModel()) {
            long t0 = System.nanoTime();
            structured.jsonObject(model);
            System.out.printf("vocabulary trie of %d tokens built in %.0f ms%n",
                    model.network().info().vocabularySize(), (System.nanoTime() - t0) / 1e6);
            String person = "<start_of_turn>user\nDescribe a person as JSON with name, age and tags.<end_of_turn>\n"
                    + "<start_of_turn>model\n";
            String tool = "<start_of_turn>user\nWhat is the weather in Paris? Call a tool.<end_of_turn>\n"
                    + "<start_of_turn>model\n";
            long nanos = 0;
            long worst = 0;
            int masks = 0;
            for (long seed = 1; seed <= 3; seed++) {
                for (String which : List.of("person", "tools", "object")) {
                    int[] prompt = model.tokenizer().orElseThrow().encode(which.equals("tools") ? tool : person, true);
                    Timed c = new Timed(constraint(model, which));
                    GenerationResult r = sample(model, prompt, c, seed, 200);
                    System.out.printf("%s seed %d: %s, %d tokens, %.2f ms per mask: %s%n", which, seed,
                            r.finishReason(), r.tokenIds().length, c.nanos / 1e6 / c.masks, r.text());
                    nanos += c.nanos;
                    worst = Math.max(worst, c.worst);
                    masks += c.masks;
                    assertEquals(FinishReason.STOP, r.finishReason(), r.text());
                    assertValid(which, r.text());
                }
            }
            System.out.printf("mask over %d tokens: %.2f ms mean, %.2f ms worst, %d masks%n",
                    model.network().info().vocabularySize(), nanos / 1e6 / masks, worst / 1e6, masks);
        }
    }

    /** Mean time of one mask over the 262k vocabulary after each prefix, after a round that warms up the JIT. */
    @Test
    void maskTimeOnTheDefaultModel() throws Exception {
        try (Model model = defaultModel()) {
            float[] logits = new float[model.network().info().vocabularySize()];
            String[][] cases = {{"person", ""}, {"person", "{\"name\": \"Al"}, {"person", "{\"name\": \"Al\", \"age\": 4"},
                    {"person", "{\"name\": \"Al\", \"age\": 4, \"tags\": ["}, {"tools", "{\"name\": "},
                    {"tools", "{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Pa"}, {"object", "{\""},
                    {"object", "{\"key\": "}, {"object", "{\"key\": [1, "}};
            for (int round = 0; round < 2; round++) {
                for (String[] c : cases) {
                    int[] ids = model.tokenizer().orElseThrow().encode(c[1], false);
                    int repeats = 50;
                    long nanos = 0;
                    for (int r = 0; r < repeats; r++) {
                        TokenConstraint constraint = constraint(model, c[0]);
                        for (int id : ids) {
                            constraint.accept(id);
                        }
                        Arrays.fill(logits, 0f);
                        long t = System.nanoTime();
                        constraint.mask(logits);
                        nanos += System.nanoTime() - t;
                    }
                    int allowed = 0;
                    for (float l : logits) {
                        allowed += l == Float.NEGATIVE_INFINITY ? 0 : 1;
                    }
                    assertTrue(allowed > 0, c[1]);
                    if (round == 1) {
                        System.out.printf("mask after %-66s %5.2f ms, %6d of %d tokens allowed%n", c[0] + " " + c[1],
                                nanos / 1e6 / repeats, allowed, logits.length);
                    }
                }
            }
        }
    }
}
