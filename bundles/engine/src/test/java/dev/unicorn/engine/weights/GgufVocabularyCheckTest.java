package dev.unicorn.engine.weights;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.unicorn.api.backend.ComputeBackend;
import dev.unicorn.api.backend.ComputeQueue;
import dev.unicorn.api.backend.Tensor;
import dev.unicorn.api.model.InferenceSession;
import dev.unicorn.api.model.LoadedModel;
import dev.unicorn.api.model.ModelArchitecture;
import dev.unicorn.api.model.ModelConfig;
import dev.unicorn.api.model.ModelException;
import dev.unicorn.api.model.ModelInfo;
import dev.unicorn.api.weights.DType;
import dev.unicorn.api.weights.WeightTensor;
import dev.unicorn.api.weights.WeightsSource;
import dev.unicorn.engine.loader.DefaultModelLoader;

/** A GGUF file whose vocabulary and embedding disagree is refused by the loader, naming both sizes. */
class GgufVocabularyCheckTest {
    @TempDir
    Path temp;

    /** Test double for the architecture seam: reports the embedding's row count as the vocabulary. */
    private static final class EmbeddingOnly implements ModelArchitecture {
        @Override
        public Set<String> architectureNames() {
            return Set.of("toy");
        }

        @Override
        public LoadedModel load(ModelConfig config, WeightsSource weights, ComputeBackend backend) {
            WeightTensor e = weights.find("token_embd.weight").orElseThrow();
            ModelInfo info = new ModelInfo("toy", (int) e.dim(0), 16, e.elementCount(), e.data().byteSize());
            return new LoadedModel() {
                @Override
                public ModelInfo info() {
                    return info;
                }

                @Override
                public InferenceSession newSession(int capacity) {
                    throw new UnsupportedOperationException();
                }

                @Override
                public void close() {
                    weights.close();
                }
            };
        }
    }

    private static ComputeBackend backend() {
        return new ComputeBackend() {
            public String id() {
                return "none";
            }

            public String description() {
                return "binds nothing";
            }

            public int rank() {
                return 0;
            }

            public boolean supports(DType t) {
                return true;
            }

            public Tensor bind(WeightTensor w) {
                throw new UnsupportedOperationException();
            }

            public Tensor allocate(long r, long c) {
                throw new UnsupportedOperationException();
            }

            public ComputeQueue newQueue() {
                throw new UnsupportedOperationException();
            }
        };
    }

    private Path gguf(int tokens, int rows) throws Exception {
        ByteBuffer data = ByteBuffer.allocate(rows * 4 * 4).order(ByteOrder.LITTLE_ENDIAN);
        List<String> vocabulary = java.util.stream.IntStream.range(0, tokens).mapToObj(i -> "t" + i).toList();
        return new GgufWriter().string("general.architecture", "toy").strings("tokenizer.ggml.tokens", vocabulary)
                .tensor("token_embd.weight", 0, new long[] {4, rows}, data.array())
                .write(temp.resolve("toy-" + tokens + "-" + rows + ".gguf"));
    }

    @Test
    void vocabularyAndEmbeddingMustHaveOneRowPerToken() throws Exception {
        DefaultModelLoader loader = new DefaultModelLoader();
        loader.addArchitecture(new EmbeddingOnly());
        loader.addFormat(new GgufFormat());
        loader.addBackend(backend());
        Path bad = gguf(6, 5);
        ModelException e = assertThrows(ModelException.class, () -> loader.load(bad, null));
        assertTrue(e.getMessage().contains(bad.toString()) && e.getMessage().contains("has 6 tokens")
                && e.getMessage().contains("embedding has 5 rows"), e.getMessage());
        loader.load(gguf(5, 5), null).close();
    }
}
