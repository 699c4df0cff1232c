package dev.unicorn.engine.weights;

import static dev.unicorn.engine.weights.SafetensorsWriter.f32;
import static dev.unicorn.engine.weights.SafetensorsWriter.shorts;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.unicorn.api.weights.DType;
import dev.unicorn.api.weights.WeightTensor;
import dev.unicorn.api.weights.WeightsException;
import dev.unicorn.api.weights.WeightsSource;

class SafetensorsFormatTest {
    private static final ValueLayout.OfFloat LE_FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final SafetensorsFormat format = new SafetensorsFormat();

    @TempDir
    Path dir;

    // F16 1.0 = 0x3C00, -2.0 = 0xC000, 0.5 = 0x3800; BF16 1.0 = 0x3F80, -2.0 = 0xC000, 3.0 = 0x4040.
    private static final byte[] F32_BYTES = f32(1.5f, -2.25f, 3f, 0f, 1e-3f, 7f);
    private static final byte[] F16_BYTES = shorts((short) 0x3C00, (short) 0xC000, (short) 0x3800, (short) 0x0001);
    private static final byte[] BF16_BYTES = shorts((short) 0x3F80, (short) 0xC000, (short) 0x4040);

    private Path threeTypes(Path file) throws IOException {
        return new SafetensorsWriter()
                .tensor("a.weight", "F32", new long[] {2, 3}, F32_BYTES)
                .tensor("b.weight", "F16", new long[] {4}, F16_BYTES)
                .tensor("c.bias", "BF16", new long[] {3, 1}, BF16_BYTES)
                .write(file);
    }

    private static void assertMentions(Throwable e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), () -> "message '" + e.getMessage() + "' should mention '" + p + "'");
        }
    }

    @Test
    void readsF32F16AndBf16TensorsWithNamesShapesAndBytes() throws IOException {
        Path file = threeTypes(dir.resolve("weights.safetensors"));
        assertTrue(format.recognizes(file));
        try (WeightsSource source = format.open(file)) {
            assertEquals(Set.of("a.weight", "b.weight", "c.bias"), source.names());
            assertEquals(file, source.location());

            WeightTensor a = source.require("a.weight", 2, 3);
            assertEquals(DType.F32, a.type());
            assertArrayEquals(new long[] {2, 3}, a.shape());
            assertArrayEquals(F32_BYTES, a.data().toArray(ValueLayout.JAVA_BYTE));
            assertEquals(-2.25f, a.data().get(LE_FLOAT, 4));
            assertEquals(7f, a.data().get(LE_FLOAT, 20));

            WeightTensor b = source.find("b.weight").orElseThrow();
            assertEquals(DType.F16, b.type());
            assertArrayEquals(new long[] {4}, b.shape());
            assertArrayEquals(F16_BYTES, b.data().toArray(ValueLayout.JAVA_BYTE));

            WeightTensor c = source.require("c.bias", 3, 1);
            assertEquals(DType.BF16, c.type());
            assertArrayEquals(BF16_BYTES, c.data().toArray(ValueLayout.JAVA_BYTE));
            assertEquals(6L, c.data().byteSize());

            assertTrue(source.find("missing").isEmpty());
        }
    }

    @Test
    void opensAFolderHoldingModelSafetensors() throws IOException {
        threeTypes(dir.resolve("model.safetensors"));
        assertTrue(format.recognizes(dir));
        try (WeightsSource source = format.open(dir)) {
            assertEquals(3, source.names().size());
            assertArrayEquals(BF16_BYTES, source.require("c.bias", 3, 1).data().toArray(ValueLayout.JAVA_BYTE));
        }
    }

    @Test
    void folderWithoutWeightsIsNotRecognizedAndCannotBeOpened() {
        assertFalse(format.recognizes(dir));
        WeightsException e = assertThrows(WeightsException.class, () -> format.open(dir));
        assertMentions(e, dir.toString(), "model.safetensors");
    }

    private void index(String weightMap) throws IOException {
        Files.writeString(dir.resolve("model.safetensors.index.json"),
                "{\"metadata\":{\"total_size\":0},\"weight_map\":{" + weightMap + "}}");
    }

    @Test
    void readsShardsListedInTheIndex() throws IOException {
        new SafetensorsWriter().tensor("x", "F32", new long[] {2}, f32(1f, 2f))
                .tensor("y", "BF16", new long[] {1, 3}, BF16_BYTES)
                .write(dir.resolve("model-00001-of-00002.safetensors"));
        new SafetensorsWriter().tensor("z", "F16", new long[] {2, 2}, F16_BYTES)
                .write(dir.resolve("model-00002-of-00002.safetensors"));
        index("\"x\":\"model-00001-of-00002.safetensors\",\"y\":\"model-00001-of-00002.safetensors\","
                + "\"z\":\"model-00002-of-00002.safetensors\"");
        assertTrue(format.recognizes(dir));
        try (WeightsSource source = format.open(dir)) {
            assertEquals(Set.of("x", "y", "z"), source.names());
            assertArrayEquals(f32(1f, 2f), source.require("x", 2).data().toArray(ValueLayout.JAVA_BYTE));
            assertArrayEquals(BF16_BYTES, source.require("y", 1, 3).data().toArray(ValueLayout.JAVA_BYTE));
            WeightTensor z = source.require("z", 2, 2);
            assertEquals(DType.F16, z.type());
            assertArrayEquals(F16_BYTES, z.data().toArray(ValueLayout.JAVA_BYTE));
        }
    }

    @Test
    void shardListedInTheIndexButMissing() throws IOException {
        new SafetensorsWriter().tensor("x", "F32", new long[] {2}, f32(1f, 2f))
                .write(dir.resolve("model-00001-of-00002.safetensors"));
        index("\"x\":\"model-00001-of-00002.safetensors\",\"z\":\"model-00002-of-00002.safetensors\"");
        WeightsException e = assertThrows(WeightsException.class, () -> format.open(dir));
        assertMentions(e, dir.resolve("model.safetensors.index.json").toString(), "model-00002-of-00002.safetensors",
                "missing");
    }

    @Test
    void tensorStoredInTwoShards() throws IOException {
        Path first = new SafetensorsWriter().tensor("x", "F32", new long[] {2}, f32(1f, 2f))
                .write(dir.resolve("model-00001-of-00002.safetensors"));
        Path second = new SafetensorsWriter().tensor("x", "F32", new long[] {2}, f32(3f, 4f))
                .tensor("w", "F32", new long[] {1}, f32(5f))
                .write(dir.resolve("model-00002-of-00002.safetensors"));
        index("\"x\":\"model-00001-of-00002.safetensors\",\"w\":\"model-00002-of-00002.safetensors\"");
        WeightsException e = assertThrows(WeightsException.class, () -> format.open(dir));
        assertMentions(e, "'x'", first.toString(), second.toString());
    }

    @Test
    void indexThatIsNotJson() throws IOException {
        Files.writeString(dir.resolve("model.safetensors.index.json"), "{\"weight_map\": ");
        WeightsException e = assertThrows(WeightsException.class, () -> format.open(dir));
        assertMentions(e, dir.resolve("model.safetensors.index.json").toString(), "JSON");
    }

    @Test
    void fileShorterThanTheHeaderLength() throws IOException {
        Path file = Files.write(dir.resolve("short.safetensors"), new byte[] {1, 0, 0, 0, 0});
        WeightsException e = assertThrows(WeightsException.class, () -> format.open(file));
        assertMentions(e, file.toString(), "5 bytes", "8-byte");
    }

    @Test
    void headerLengthPastTheEndOfTheFile() throws IOException {
        byte[] header = "{}".getBytes(StandardCharsets.UTF_8);
        Path file = SafetensorsWriter.writeRaw(dir.resolve("long.safetensors"), header, new byte[0]);
        // Patch the length to 1000 while the file holds 10 bytes.
        byte[] bytes = Files.readAllBytes(file);
        bytes[0] = (byte) 0xE8;
        bytes[1] = 0x03;
        Files.write(file, bytes);
        WeightsException e = assertThrows(WeightsException.class, () -> format.open(file));
        assertMentions(e, file.toString(), "header length 1000", "10 bytes");
    }

    @Test
    void headerThatIsNotJson() throws IOException {
        Path file = SafetensorsWriter.writeRaw(dir.resolve("bad.safetensors"),
                "{\"a\": {\"dtype\": F32".getBytes(StandardCharsets.UTF_8), new byte[4]);
        WeightsException e = assertThrows(WeightsException.class, () -> format.open(file));
        assertMentions(e, file.toString(), "header", "JSON");
    }

    @Test
    void headerThatIsNotAnObject() throws IOException {
        Path file = SafetensorsWriter.writeRaw(dir.resolve("array.safetensors"),
                "[1, 2]".getBytes(StandardCharsets.UTF_8), new byte[0]);
        WeightsException e = assertThrows(WeightsException.class, () -> format.open(file));
        assertMentions(e, file.toString(), "object");
    }

    @Test
    void dataOffsetsBeyondTheDataOfATruncatedFile() throws IOException {
        SafetensorsWriter w = new SafetensorsWriter().tensor("ok", "F32", new long[] {1}, f32(1f))
                .tensor("cut", "F32", new long[] {4}, f32(1f, 2f, 3f, 4f));
        byte[] data = w.data();
        Path file = SafetensorsWriter.writeRaw(dir.resolve("truncated.safetensors"),
                w.header().getBytes(StandardCharsets.UTF_8), java.util.Arrays.copyOf(data, data.length - 3));
        WeightsException e = assertThrows(WeightsException.class, () -> format.open(file));
        assertMentions(e, file.toString(), "'cut'", "[4,20]", "17 bytes", "truncated");
    }

    @Test
    void dataOffsetsWhoseSpanDisagreesWithTypeAndShape() throws IOException {
        Path file = new SafetensorsWriter()
                .raw("w", "{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,12]}", new byte[16])
                .write(dir.resolve("span.safetensors"));
        WeightsException e = assertThrows(WeightsException.class, () -> format.open(file));
        assertMentions(e, file.toString(), "'w'", "12 bytes", "expected 16", "F32");
    }

    @Test
    void reversedDataOffsets() throws IOException {
        Path file = new SafetensorsWriter()
                .raw("w", "{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,4]}", new byte[8])
                .write(dir.resolve("reversed.safetensors"));
        WeightsException e = assertThrows(WeightsException.class, () -> format.open(file));
        assertMentions(e, file.toString(), "'w'", "data_offsets");
    }

    @Test
    void shapeWhoseByteSizeOverflows() throws IOException {
        // 2^62 F32 elements are 2^64 bytes: a long product wraps to 0 and would match data_offsets [0, 0].
        Path file = new SafetensorsWriter()
                .raw("huge", "{\"dtype\":\"F32\",\"shape\":[4611686018427387904],\"data_offsets\":[0,0]}", new byte[0])
                .write(dir.resolve("overflow.safetensors"));
        WeightsException e = assertThrows(WeightsException.class, () -> format.open(file));
        assertMentions(e, file.toString(), "'huge'");
        Path dims = new SafetensorsWriter()
                .raw("wide", "{\"dtype\":\"F16\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,0]}",
                        new byte[0])
                .write(dir.resolve("overflow2.safetensors"));
        WeightsException e2 = assertThrows(WeightsException.class, () -> format.open(dims));
        assertMentions(e2, dims.toString(), "'wide'");
    }

    @Test
    void unknownDtype() throws IOException {
        Path file = new SafetensorsWriter()
                .raw("q", "{\"dtype\":\"Q4_K\",\"shape\":[4],\"data_offsets\":[0,4]}", new byte[4])
                .write(dir.resolve("dtype.safetensors"));
        WeightsException e = assertThrows(WeightsException.class, () -> format.open(file));
        assertMentions(e, file.toString(), "'q'", "Q4_K", "BF16");
    }

    @Test
    void requireOfAMissingTensor() throws IOException {
        Path file = threeTypes(dir.resolve("model.safetensors"));
        try (WeightsSource source = format.open(file)) {
            WeightsException e = assertThrows(WeightsException.class, () -> source.require("lm_head.weight", 7, 3));
            assertMentions(e, file.toString(), "'lm_head.weight'", "[7, 3]");
        }
    }

    @Test
    void requireWithAWrongShape() throws IOException {
        Path file = threeTypes(dir.resolve("model.safetensors"));
        try (WeightsSource source = format.open(file)) {
            WeightsException e = assertThrows(WeightsException.class, () -> source.require("a.weight", 3, 2));
            assertMentions(e, file.toString(), "'a.weight'", "[2, 3]", "expected [3, 2]");
            assertThrows(WeightsException.class, () -> source.require("a.weight", 6));
        }
    }

    @Test
    void closingUnmapsTheTensors() throws IOException {
        Path file = threeTypes(dir.resolve("model.safetensors"));
        WeightsSource source = format.open(file);
        WeightTensor a = source.require("a.weight", 2, 3);
        assertEquals(1.5f, a.data().get(LE_FLOAT, 0));
        source.close();
        assertThrows(IllegalStateException.class, () -> a.data().get(LE_FLOAT, 0));
        assertFalse(a.data().scope().isAlive());
    }
}
