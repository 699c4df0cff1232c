package dev.unicorn.engine.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.unicorn.api.weights.DType;
import dev.unicorn.api.weights.WeightTensor;
import dev.unicorn.api.weights.WeightsException;
import dev.unicorn.api.weights.WeightsSource;

class GgufFormatTest {
    private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int F32 = 0, Q8_0 = 8, Q4_K = 12;

    private final GgufFormat format = new GgufFormat();

    @TempDir
    Path dir;

    private static Path fixture(String name) {
        Path p = Path.of(System.getProperty("unicorn.root", "../..")).resolve("fixtures/gguf").resolve(name);
        assertTrue(Files.isRegularFile(p), () -> "fixture not found at " + p.toAbsolutePath());
        return p;
    }

    private static void assertMentions(Throwable e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), () -> "message '" + e.getMessage() + "' should mention '" + p + "'");
        }
    }

    @Test
    void readsEveryValueTypeWrittenByGgufPy() {
        Path file = fixture("tiny.gguf");
        assertTrue(format.recognizes(file));
        try (WeightsSource source = format.open(file)) {
            Map<String, Object> m = source.metadata();
            assertEquals("llama", m.get("general.architecture"));
            assertEquals(200L, m.get("test.u8"));
            assertEquals(-100L, m.get("test.i8"));
            assertEquals(60000L, m.get("test.u16"));
            assertEquals(-30000L, m.get("test.i16"));
            assertEquals(4000000000L, m.get("test.u32"));
            assertEquals(-2000000000L, m.get("test.i32"));
            assertEquals(1L << 40, m.get("test.u64"));
            assertEquals(-(1L << 40), m.get("test.i64"));
            assertEquals(0.25, m.get("test.f32"));
            assertEquals(1e-300, m.get("test.f64"));
            assertEquals(true, m.get("test.bool"));
            assertEquals("Grüße, 世界", m.get("test.string"));
            assertEquals(List.of(1L, -2L, 3L), m.get("test.int_array"));
            assertEquals(List.of(List.of(1L, 2L), List.of(3L)), m.get("test.nested"));
            assertEquals(List.of("<pad>", "a", "▁b"), m.get("tokenizer.ggml.tokens"));
            assertEquals(List.of(0.0, -1.5, 2.0), m.get("tokenizer.ggml.scores"));
        }
    }

    @Test
    void tensorsMatchWhatGgufPyWrote() throws IOException {
        JsonNode expected = new ObjectMapper().readTree(fixture("tiny.json").toFile());
        try (WeightsSource source = format.open(fixture("tiny.gguf"))) {
            assertEquals(expected.size(), source.names().size());
            for (var e : expected.properties()) {
                WeightTensor t = source.find(e.getKey()).orElseThrow();
                JsonNode info = e.getValue();
                assertEquals(DType.valueOf(info.get("type").asText()), t.type(), t.name());
                long[] shape = new long[info.get("shape").size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = info.get("shape").get(i).asLong();
                }
                assertArrayEquals(shape, t.shape(), t.name());
                assertEquals(info.get("bytes").asLong(), t.data().byteSize(), t.name());
                CRC32 crc = new CRC32();
                crc.update(t.data().asByteBuffer());
                assertEquals(info.get("crc32").asLong(), crc.getValue(), t.name());
                assertEquals(0, t.data().address() % 32, t.name() + " is aligned");
            }
            WeightTensor f32 = source.require("f32.weight", 2, 3);
            assertEquals(1e-3f, f32.data().get(LE_FLOAT, 16));
            WeightsException wrong = assertThrows(WeightsException.class, () -> source.require("f32.weight", 3, 2));
            assertMentions(wrong, "f32.weight", "[2, 3]", "[3, 2]");
            assertMentions(assertThrows(WeightsException.class, () -> source.require("nope", 1)), "nope", "tiny.gguf");
        }
    }

    @Test
    void benchWriterFileMatchesGgufPysReader() throws IOException {
        // fixtures/gguf/gemma3-tiny-q4_k_m_like.{gguf,json}: /work/shared/bench/make_gguf.py, read back by GGUFReader
        JsonNode expected = new ObjectMapper().readTree(fixture("gemma3-tiny-q4_k_m_like.json").toFile());
        try (WeightsSource source = format.open(fixture("gemma3-tiny-q4_k_m_like.gguf"))) {
            Map<String, Object> m = source.metadata();
            for (var e : expected.get("scalars").properties()) {
                JsonNode v = e.getValue().get("value");
                Object actual = m.get(e.getKey());
                switch (e.getValue().get("type").asText()) {
                    case "STRING" -> assertEquals(v.asText(), actual, e.getKey());
                    case "BOOL" -> assertEquals(v.asBoolean(), actual, e.getKey());
                    case "FLOAT32", "FLOAT64" -> assertEquals(v.asDouble(), (Double) actual, Math.ulp((float) v.asDouble()), e.getKey());
                    default -> assertEquals(v.asLong(), actual, e.getKey());
                }
            }
            for (var e : expected.get("arrays").properties()) {
                List<?> list = (List<?>) m.get(e.getKey());
                assertEquals(e.getValue().get("length").asInt(), list.size(), e.getKey());
                JsonNode first = e.getValue().get("first");
                Object firstActual = list.getFirst();
                if (first.isTextual()) {
                    assertEquals(first.asText(), firstActual, e.getKey());
                    assertEquals(e.getValue().get("last").asText(), list.getLast(), e.getKey());
                } else if (first.isDouble() || first.isFloat()) {
                    assertEquals(first.asDouble(), (Double) firstActual, 1e-6, e.getKey());
                } else {
                    assertEquals(first.asLong(), firstActual, e.getKey());
                }
            }
            JsonNode tensors = expected.get("tensors");
            assertEquals(tensors.size(), source.names().size());
            for (var e : tensors.properties()) {
                WeightTensor t = source.find(e.getKey()).orElseThrow();
                assertEquals(DType.valueOf(e.getValue().get("type").asText()), t.type(), t.name());
                long[] shape = new long[e.getValue().get("shape").size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = e.getValue().get("shape").get(i).asLong();
                }
                assertArrayEquals(shape, t.shape(), t.name());
                CRC32 crc = new CRC32();
                crc.update(t.data().asByteBuffer());
                assertEquals(e.getValue().get("crc32").asLong(), crc.getValue(), t.name());
            }
            assertEquals(DType.Q8_0, source.require("blk.0.ffn_down.weight", 256, 640).type(),
                    "a 640-wide Q6_K row falls back to Q8_0 as llama-quantize does");
        }
    }

    @Test
    void honoursGeneralAlignmentAndVersion2() throws IOException {
        byte[] block = new byte[34];
        block[1] = 0x3C; // f16 1.0 scale
        block[2] = 5;
        Path file = new GgufWriter().version(2).alignment(64).string("general.architecture", "qwen2")
                .tensor("a", F32, new long[] {2}, new byte[8])
                .tensor("q", Q8_0, new long[] {32, 1}, block)
                .write(dir.resolve("model.bin"));
        assertTrue(format.recognizes(file), "recognized by its magic");
        try (WeightsSource source = format.open(file)) {
            assertEquals(64L, source.metadata().get("general.alignment"));
            WeightTensor q = source.require("q", 1, 32);
            assertEquals(0, q.data().address() % 64);
            assertEquals(5, q.data().get(ValueLayout.JAVA_BYTE, 2));
        }
    }

    @Test
    void recognizesGgufFilesOnly() throws IOException {
        Path other = Files.write(dir.resolve("x.bin"), new byte[] {1, 2, 3, 4, 5});
        assertFalse(format.recognizes(other));
        assertFalse(format.recognizes(dir));
    }

    private WeightsException failure(GgufWriter writer) throws IOException {
        Path file = writer.write(dir.resolve("bad.gguf"));
        return assertThrows(WeightsException.class, () -> format.open(file).close());
    }

    @Test
    void badInputNamesFileAndProblem() throws IOException {
        assertMentions(failure(new GgufWriter().magic(0x12345678)), "bad.gguf", "magic");
        assertMentions(failure(new GgufWriter().version(4)), "bad.gguf", "version 4");
        assertMentions(failure(new GgufWriter().string("general.architecture", "gemma3").truncateBy(26 + 3)), // 26 bytes of padding, then into the value
                "bad.gguf", "truncated", "general.architecture");
        Path tiny = Files.write(dir.resolve("two.gguf"), new byte[] {'G', 'G'});
        assertMentions(assertThrows(WeightsException.class, () -> format.open(tiny)), "two.gguf", "truncated");
        assertMentions(failure(new GgufWriter().tensor("blk.0.attn_q.weight", 15, new long[] {256, 1}, new byte[292])),
                "bad.gguf", "blk.0.attn_q.weight", "type id 15");
        assertMentions(failure(new GgufWriter().tensor("w", F32, new long[] {4, 4}, new byte[64]).truncateBy(32)),
                "bad.gguf", "'w'", "past the end");
        assertMentions(failure(new GgufWriter().tensor("k", Q4_K, new long[] {128, 2}, new byte[144])),
                "bad.gguf", "'k'", "row length 128", "256");
        assertMentions(failure(new GgufWriter().tensor("d", F32, new long[] {1}, new byte[4])
                .tensor("d", F32, new long[] {1}, new byte[4])), "bad.gguf", "'d'", "twice");
        assertMentions(failure(new GgufWriter().alignment(24)), "bad.gguf", "general.alignment");
    }
}
