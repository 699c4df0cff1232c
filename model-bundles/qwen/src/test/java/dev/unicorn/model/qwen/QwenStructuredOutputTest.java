package dev.unicorn.model.qwen;

import static dev.unicorn.testing.StructuredOutputChecks.SHORT_PERSON;
import static dev.unicorn.testing.StructuredOutputChecks.TOOLS;
import static dev.unicorn.testing.StructuredOutputChecks.assertPerson;
import static dev.unicorn.testing.StructuredOutputChecks.assertToolCall;
import static dev.unicorn.testing.StructuredOutputChecks.sample;
import static dev.unicorn.testing.StructuredOutputChecks.schema;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.unicorn.api.generation.FinishReason;
import dev.unicorn.api.generation.GenerationResult;
import dev.unicorn.api.model.Model;
import dev.unicorn.backend.cpu.CpuBackend;
import dev.unicorn.engine.structured.JsonStructuredOutput;

/**
 * Constrained decoding on the tiny random-weight Qwen2 fixture, whose byte-level BPE vocabulary holds every byte as
 * a token: pieces of UTF-8 characters must never be chosen, and sampled outputs that end must be valid.
 */
class QwenStructuredOutputTest {
    private static CpuBackend backend;

    @BeforeAll
    static void setUp() {
        backend = new CpuBackend(2);
    }

    @AfterAll
    static void tearDown() {
        backend.close();
    }

    @Test
    void sampledOutputsAreValid() throws Exception {
        JsonStructuredOutput structured = new JsonStructuredOutput();
        try (Model model = Fixtures.FIXTURES.loader(backend).load(Fixtures.FIXTURES.fixture("qwen2-tiny"), null)) {
            int[] prompt = model.tokenizer().orElseThrow().encode("Answer in JSON:", false);
            int seeds = 8;
            int stoppedTools = 0;
            int stoppedPersons = 0;
            for (long seed = 1; seed <= seeds; seed++) {
                GenerationResult r = sample(model, prompt, structured.jsonSchema(model, schema(TOOLS)), seed, 1000);
                if (r.finishReason() == FinishReason.STOP) {
                    stoppedTools++;
                    assertToolCall(r.text());
                } else {
                    assertEquals(FinishReason.LENGTH, r.finishReason(), r.text());
                }
                r = sample(model, prompt, structured.jsonSchema(model, schema(SHORT_PERSON)), seed, 1000);
                if (r.finishReason() == FinishReason.STOP) {
                    stoppedPersons++;
                    assertPerson(r.text(), 3);
                } else {
                    assertEquals(FinishReason.LENGTH, r.finishReason(), r.text());
                }
                assertTrue(!r.text().contains("\uFFFD"), r.text());
            }
            System.out.println("tiny Qwen: " + stoppedTools + " tool calls and " + stoppedPersons + " persons of "
                    + seeds + " samples ended");
            assertTrue(stoppedTools >= seeds / 2 && stoppedPersons >= seeds / 2);
        }
    }
}
