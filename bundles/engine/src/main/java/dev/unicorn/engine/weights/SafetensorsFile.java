package dev.unicorn.engine.weights;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.unicorn.api.weights.DType;
import dev.unicorn.api.weights.WeightTensor;
import dev.unicorn.api.weights.WeightsException;

/**
 * One {@code .safetensors} file, memory-mapped: an 8-byte little-endian header length, a JSON header of
 * {@code name → {dtype, shape, data_offsets}}, then the tensor bytes. Every offset is checked against the file.
 */
final class SafetensorsFile implements AutoCloseable {
    private static final long MAX_HEADER = 100L << 20;

    private final Path file;
    private final Arena arena;
    private final Map<String, WeightTensor> tensors;
    private final Map<String, Object> metadata;

    private SafetensorsFile(Path file, Arena arena, Map<String, WeightTensor> tensors, Map<String, Object> metadata) {
        this.file = file;
        this.arena = arena;
        this.tensors = tensors;
        this.metadata = metadata;
    }

    static SafetensorsFile open(Path file, ObjectMapper json) {
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < 8) {
                throw new WeightsException(file + ": truncated safetensors file: " + size
                        + " bytes, fewer than the 8-byte header length");
            }
            MemorySegment all = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            long headerLength = all.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), 0);
            if (headerLength <= 0 || headerLength > MAX_HEADER || 8 + headerLength > size) {
                throw new WeightsException(file + ": safetensors header length " + headerLength
                        + " does not fit a file of " + size + " bytes (truncated or not a safetensors file)");
            }
            byte[] headerBytes = all.asSlice(8, headerLength).toArray(ValueLayout.JAVA_BYTE);
            JsonNode header;
            try {
                header = json.readTree(new String(headerBytes, StandardCharsets.UTF_8));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new WeightsException(file + ": safetensors header is not valid JSON: " + e.getOriginalMessage(), e);
            }
            if (header == null || !header.isObject()) {
                throw new WeightsException(file + ": safetensors header is not a JSON object");
            }
            long dataStart = 8 + headerLength;
            MemorySegment data = all.asSlice(dataStart);
            Map<String, WeightTensor> tensors = new LinkedHashMap<>();
            Map<String, Object> metadata = new LinkedHashMap<>();
            for (var entry : header.properties()) {
                String name = entry.getKey();
                if (name.equals("__metadata__")) {
                    entry.getValue().properties().forEach(m -> metadata.put(m.getKey(), m.getValue().asText()));
                    continue;
                }
                tensors.put(name, tensor(file, name, entry.getValue(), data));
            }
            return new SafetensorsFile(file, arena, Map.copyOf(tensors), Map.copyOf(metadata));
        } catch (IOException e) {
            arena.close();
            throw new WeightsException(file + ": cannot read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    private static WeightTensor tensor(Path file, String name, JsonNode info, MemorySegment data) {
        String where = file + ": tensor '" + name + "'";
        if (!info.isObject()) {
            throw new WeightsException(where + ": header entry is not an object");
        }
        DType type = dtype(where, info.path("dtype").asText(""));
        JsonNode shapeNode = info.path("shape");
        JsonNode offsets = info.path("data_offsets");
        if (!shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2) {
            throw new WeightsException(where + ": header needs 'shape' (array) and 'data_offsets' ([begin, end])");
        }
        long[] shape = new long[shapeNode.size()];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = shapeNode.get(i);
            if (!d.canConvertToLong() || d.asLong() < 0) {
                throw new WeightsException(where + ": shape " + shapeNode + " has an invalid dimension");
            }
            shape[i] = d.asLong();
        }
        long expected;
        try {
            for (long dim : shape) {
                elements = Math.multiplyExact(elements, dim);
            }
            // Overflow must not wrap: a wrapped size could match the data_offsets.
            expected = type.byteSize(elements);
        } catch (ArithmeticException e) {
            throw new WeightsException(where + ": shape " + shapeNode + " of " + type + " overflows 64-bit byte sizes");
        }
        long begin = offsets.get(0).asLong(-1);
        long end = offsets.get(1).asLong(-1);
        if (begin < 0 || end < begin || end - begin != expected) {
            throw new WeightsException(where + ": data_offsets " + offsets + " span " + (end - begin) + " bytes, expected "
                    + expected + " for " + type + " " + shapeNode);
        }
        if (end > data.byteSize()) {
            throw new WeightsException(where + ": data_offsets " + offsets + " run past the end of the data ("
                    + data.byteSize() + " bytes): the file is truncated");
        }
        return new WeightTensor(name, type, shape, data.asSlice(begin, end - begin));
    }

    private static DType dtype(String where, String name) {
        return switch (name) {
            case "F32" -> DType.F32;
            case "F16" -> DType.F16;
            case "BF16" -> DType.BF16;
            case "I32" -> DType.I32;
            case "I64" -> DType.I64;
            default -> throw new WeightsException(where + ": unsupported dtype '" + name
                    + "', expected one of " + List.of("F32", "F16", "BF16", "I32", "I64"));
        };
    }

    Path file() {
        return file;
    }

    Map<String, Object> metadata() {
        return metadata;
    }

    Map<String, WeightTensor> tensors() {
        return tensors;
    }

    @Override
    public void close() {
        arena.close();
    }
}
