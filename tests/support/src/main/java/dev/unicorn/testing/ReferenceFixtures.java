package dev.unicorn.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

import dev.unicorn.api.model.InferenceSession;
import dev.unicorn.api.model.Model;
import dev.unicorn.api.model.ModelArchitecture;
import dev.unicorn.api.weights.DType;
import dev.unicorn.api.weights.WeightTensor;
import dev.unicorn.api.weights.WeightsSource;
import dev.unicorn.backend.cpu.CpuBackend;
import dev.unicorn.engine.loader.DefaultModelLoader;
import dev.unicorn.engine.weights.SafetensorsFormat;
import dev.unicorn.tokenizer.hf.HfTokenizerProvider;

/**
 * The transformers reference fixtures of one architecture family ({@code fixtures/<family>/}, made by
 * {@code tools/reference/make_<family>_fixtures.py}): each fixture is a Hugging Face folder with
 * {@code reference.safetensors} (input ids, logits of every position, greedy continuations) and
 * {@code config.v4.json}, the same config in the transformers 4.x form.
 */
public final class ReferenceFixtures {
    private final String family;
    private final ModelArchitecture architecture;

    public ReferenceFixtures(String family, ModelArchitecture architecture) {
        this.family = family;
        this.architecture = architecture;
    }

    public Path root() {
        Path dir = Path.of(System.getProperty("unicorn.root", "../..")).resolve("fixtures").resolve(family);
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("fixtures not found at " + dir.toAbsolutePath());
        }
        return dir;
    }

    public Path fixture(String name) {
        return root().resolve(name);
    }

    /** A loader wired as the runtime wires it, with the real safetensors format, CPU backend and tokenizer. */
    public DefaultModelLoader loader(CpuBackend backend) {
        DefaultModelLoader loader = new DefaultModelLoader();
        loader.addArchitecture(architecture);
        loader.addFormat(new SafetensorsFormat());
        loader.addBackend(backend);
        loader.addTokenizerProvider(new HfTokenizerProvider());
        return loader;
    }

    /** The tensors of a fixture's reference.safetensors. */
    public Reference reference(String fixture) {
        return new Reference(fixture(fixture).resolve("reference.safetensors"));
    }

    /** A copy of a fixture folder, with {@code config.v4.json} as its config.json when {@code v4Config}. */
    public Path copy(String fixture, Path into, boolean v4Config) throws IOException {
        Path src = fixture(fixture);
        Path dst = into.resolve(fixture);
        Files.createDirectories(dst);
        try (Stream<Path> files = Files.list(src)) {
            for (Path f : files.toList()) {
                Files.copy(f, dst.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        if (v4Config) {
            Files.copy(src.resolve("config.v4.json"), dst.resolve("config.json"), StandardCopyOption.REPLACE_EXISTING);
        }
        return dst;
    }

    /** Reference tensors, read as written by safetensors' numpy/torch writers. */
    public static final class Reference implements AutoCloseable {
        private final WeightsSource source;

        Reference(Path file) {
            this.source = new SafetensorsFormat().open(file);
        }

        public int[] ids(String name) {
            WeightTensor t = source.find(name).orElseThrow();
            if (t.type() != DType.I64) {
                throw new IllegalStateException(name + " is " + t.type());
            }
            long[] v = t.data().toArray(ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN));
            return java.util.Arrays.stream(v).mapToInt(Math::toIntExact).toArray();
        }

        public float[] floats(String name) {
            return source.find(name).orElseThrow().data().toArray(ValueLayout.JAVA_FLOAT.withOrder(ByteOrder.LITTLE_ENDIAN));
        }

        @Override
        public void close() {
            source.close();
        }
    }

    /**
     * max|Δ| ≤ tolerance · max|reference| over every position and vocabulary entry, all finite and not all zero;
     * returns max|Δ| / max|reference|.
     */
    public static double assertLogitsClose(float[] expected, float[] actual, double tolerance, String what) {
        assertEquals(expected.length, actual.length, what + ": logits size");
        double maxRef = 0;
        double maxDiff = 0;
        double maxActual = 0;
        for (int i = 0; i < expected.length; i++) {
            assertTrue(Float.isFinite(actual[i]), what + ": non-finite logit at " + i);
            maxRef = Math.max(maxRef, Math.abs(expected[i]));
            maxActual = Math.max(maxActual, Math.abs(actual[i]));
            maxDiff = Math.max(maxDiff, Math.abs(expected[i] - actual[i]));
        }
        assertTrue(maxRef > 0 && maxActual > 0, what + ": logits are all zero");
        assertTrue(maxDiff <= tolerance * maxRef, what + String.format(": max|Δlogit| = %.3g > %.1g × max|logit| %.3g",
                maxDiff, tolerance, maxRef));
        return maxDiff / maxRef;
    }

    /** The logits of every position of {@code ids}, in one batch. */
    public static float[] logits(Model model, int[] ids) {
        int vocab = model.network().info().vocabularySize();
        float[] out = new float[ids.length * vocab];
        try (InferenceSession s = model.network().newSession(ids.length)) {
            s.append(ids, ids.length, out, true);
        }
        return out;
    }
}
