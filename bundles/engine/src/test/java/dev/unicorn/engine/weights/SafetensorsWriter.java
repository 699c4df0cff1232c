package dev.unicorn.engine.weights;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Writes {@code .safetensors} files for tests: 8-byte little-endian header length, JSON header, data. Entries may
 * carry a raw header value so that malformed headers can be written too.
 */
final class SafetensorsWriter {
    private record Entry(String name, String headerJson, byte[] bytes) {
    }

    private final List<Entry> entries = new ArrayList<>();
    private long offset;

    /** A well-formed tensor whose data_offsets follow the previous one. */
    SafetensorsWriter tensor(String name, String dtype, long[] shape, byte[] bytes) {
        String json = "{\"dtype\":\"" + dtype + "\",\"shape\":" + shapeJson(shape) + ",\"data_offsets\":[" + offset
                + "," + (offset + bytes.length) + "]}";
        entries.add(new Entry(name, json, bytes));
        offset += bytes.length;
        return this;
    }

    /** A tensor with a literal header entry and the bytes appended to the data. */
    SafetensorsWriter raw(String name, String headerJson, byte[] bytes) {
        entries.add(new Entry(name, headerJson, bytes));
        offset += bytes.length;
        return this;
    }

    long dataSize() {
        return offset;
    }

    String header() {
        return entries.stream().map(e -> "\"" + e.name + "\":" + e.headerJson)
                .collect(Collectors.joining(",", "{\"__metadata__\":{\"format\":\"pt\"},", "}"));
    }

    Path write(Path file) throws IOException {
        return writeRaw(file, header().getBytes(StandardCharsets.UTF_8), data());
    }

    byte[] data() {
        ByteBuffer b = ByteBuffer.allocate((int) offset);
        entries.forEach(e -> b.put(e.bytes));
        return b.array();
    }

    static Path writeRaw(Path file, byte[] header, byte[] data) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length).put(header).put(data);
        Files.write(file, b.array());
        return file;
    }

    static String shapeJson(long[] shape) {
        return Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(",", "[", "]"));
    }

    static byte[] f32(float... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    static byte[] shorts(short... values) {
        ByteBuffer b = ByteBuffer.allocate(2 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (short v : values) {
            b.putShort(v);
        }
        return b.array();
    }
}
