package dev.unicorn.model.gemma3;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

import dev.unicorn.api.weights.DType;
import dev.unicorn.api.weights.WeightTensor;
import dev.unicorn.api.weights.WeightsSource;
import dev.unicorn.backend.cpu.CpuBackend;
import dev.unicorn.engine.loader.DefaultModelLoader;
import dev.unicorn.engine.weights.SafetensorsFormat;
import dev.unicorn.tokenizer.hf.HfTokenizerProvider;

/** The reference fixtures made by tools/reference/make_gemma3_fixtures.py with transformers. */
final class Fixtures {
    private Fixtures() {
    }

    static Path root() {
        Path dir = Path.of(System.getProperty("unicorn.root", "../..")).resolve("fixtures/gemma3");
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("fixtures not found at " + dir.toAbsolutePath());
        }
        return dir;
    }

    static Path fixture(String name) {
        return root().resolve(name);
    }

    /** A loader wired as the runtime wires it, with the real safetensors format, CPU backend and tokenizer. */
    static DefaultModelLoader loader(CpuBackend backend) {
        DefaultModelLoader loader = new DefaultModelLoader();
        loader.addArchitecture(new Gemma3Architecture());
        loader.addFormat(new SafetensorsFormat());
        loader.addBackend(backend);
        loader.addTokenizerProvider(new HfTokenizerProvider());
        return loader;
    }

    /** The tensors of a fixture's reference.safetensors. */
    static final class Reference implements AutoCloseable {
        private final WeightsSource source;

        Reference(String fixture) {
            this.source = new SafetensorsFormat().open(fixture(fixture).resolve("reference.safetensors"));
        }

        int[] ids(String name) {
            WeightTensor t = source.find(name).orElseThrow();
            if (t.type() != DType.I64) {
                throw new IllegalStateException(name + " is " + t.type());
            }
            long[] v = t.data().toArray(ValueLayout.JAVA_LONG.withOrder(ByteOrder.LITTLE_ENDIAN));
            return java.util.Arrays.stream(v).mapToInt(Math::toIntExact).toArray();
        }

        float[] floats(String name) {
            WeightTensor t = source.find(name).orElseThrow();
            return t.data().toArray(ValueLayout.JAVA_FLOAT.withOrder(ByteOrder.LITTLE_ENDIAN));
        }

        @Override
        public void close() {
            source.close();
        }
    }

    /** A copy of a fixture folder, with {@code config.v4.json} as its config.json when {@code v4Config}. */
    static Path copy(String fixture, Path into, boolean v4Config) throws IOException {
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
}
