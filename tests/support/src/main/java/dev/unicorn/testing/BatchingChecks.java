package dev.unicorn.testing;

import static dev.unicorn.testing.ReferenceFixtures.assertLogitsClose;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.unicorn.api.generation.Generation;
import dev.unicorn.api.generation.GenerationRequest;
import dev.unicorn.api.generation.GenerationResult;
import dev.unicorn.api.generation.GenerationService;
import dev.unicorn.api.generation.SamplingParameters;
import dev.unicorn.api.model.InferenceSession;
import dev.unicorn.api.model.Model;

/** Checks of batched decoding shared by the architecture tests: against sessions run alone and the reference. */
public final class BatchingChecks {
    private BatchingChecks() {
    }

    /**
     * Sessions prefilled with {@code input_ids[0 .. starts[i])} decode the rest of {@code input_ids} together, one
     * token each per {@code decode} step (a session leaves the batch when its tokens run out). Each row's logits must
     * match the same tokens appended to a session alone ({@code 1e-5} of max|logit|) and transformers' logits of
     * that position ({@code 1e-4}). Returns the number of steps that decoded more than one session.
     */
    public static int assertBatchedDecodeMatches(Model model, ReferenceFixtures.Reference ref, int[] starts,
            String what) {
        int[] ids = ref.ids("input_ids");
        float[] expected = ref.floats("logits");
        int vocab = model.network().info().vocabularySize();
        int n = starts.length;
        List<InferenceSession> batched = new ArrayList<>();
        List<InferenceSession> alone = new ArrayList<>();
        try {
            for (int start : starts) {
                InferenceSession b = model.network().newSession(64);
                InferenceSession a = model.network().newSession(64);
                batched.add(b);
                alone.add(a);
                int[] prompt = java.util.Arrays.copyOf(ids, start);
                b.append(prompt, start, new float[vocab], false);
                a.append(prompt, start, new float[vocab], false);
            }
            float[] aloneLogits = new float[vocab];
            int shared = 0;
            for (int t = 0;; t++) {
                List<InferenceSession> active = new ArrayList<>();
                List<Integer> rows = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    if (starts[i] + t < ids.length) {
                        active.add(batched.get(i));
                        rows.add(i);
                    }
                }
                if (active.isEmpty()) {
                    return shared;
                }
                int[] tokens = new int[active.size()];
                float[][] logits = new float[active.size()][vocab];
                for (int j = 0; j < tokens.length; j++) {
                    tokens[j] = ids[starts[rows.get(j)] + t];
                }
                model.network().decode(active, tokens, logits);
                if (active.size() > 1) {
                    shared++;
                }
                for (int j = 0; j < tokens.length; j++) {
                    int i = rows.get(j);
                    int position = starts[i] + t;
                    assertTrue(batched.get(i).position() == position + 1, "the batched session advanced");
                    alone.get(i).append(new int[] {tokens[j]}, 1, aloneLogits, false);
                    String at = what + ": session " + i + " at position " + position + " in a batch of " + tokens.length;
                    assertLogitsClose(aloneLogits, logits[j], 1e-5, at + " vs alone");
                    assertLogitsClose(java.util.Arrays.copyOfRange(expected, position * vocab, (position + 1) * vocab),
                            logits[j], 1e-4, at + " vs transformers");
                }
            }
        } finally {
            batched.forEach(InferenceSession::close);
            alone.forEach(InferenceSession::close);
        }
    }

    /**
     * Greedy generations of {@code prompts} submitted together. The scheduler is held (a {@link GatedModel}) while it
     * starts the first one until every request is queued, so the others are admitted right after the first's first
     * step and all run in the same batched steps from then on; returns the results in order and, in {@code largestBatch[0]}, the most sequences one decode step held.
     */
    public static GenerationResult[] greedyTogether(GenerationService service, Model model, List<int[]> prompts,
            int maxTokens, boolean ignoreStopTokens, int[] largestBatch) throws Exception {
        GatedModel gated = new GatedModel(model);
        List<Generation> generations = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            generations.add(service.generate(gated, new GenerationRequest(prompts.get(i), maxTokens,
                    SamplingParameters.GREEDY, List.of(), ignoreStopTokens), (id, text) -> { }));
            if (i == 0) {
                gated.awaitHeld();
            }
        }
        gated.open();
        GenerationResult[] results = new GenerationResult[prompts.size()];
        for (int i = 0; i < results.length; i++) {
            results[i] = generations.get(i).result().toCompletableFuture().get(60, TimeUnit.SECONDS);
        }
        if (largestBatch != null) {
            largestBatch[0] = gated.largestBatch();
        }
        return results;
    }

    /** The greedy result of one prompt generated with nothing else running. */
    public static GenerationResult greedyAlone(GenerationService service, Model model, int[] prompt, int maxTokens,
            boolean ignoreStopTokens) throws Exception {
        return service.generate(model, new GenerationRequest(prompt, maxTokens, SamplingParameters.GREEDY, List.of(),
                ignoreStopTokens), (id, text) -> { }).result().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }

    /** Waits for a latch in a listener; a test that never opens it fails after 30 s instead of hanging. */
    public static void await(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("latch not opened within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
