package dev.unicorn.engine.weights;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.unicorn.api.weights.DType;
import dev.unicorn.api.weights.WeightTensor;
import dev.unicorn.api.weights.WeightsException;

/**
 * One GGUF file (version 3, or 2 which has the same layout), memory-mapped: magic {@code GGUF}, version, tensor and
 * key/value counts, typed key/values, tensor infos ({@code ne[]} innermost first), padding to
 * {@code general.alignment}, then the tensor data. Every length and offset is checked against the file.
 */
final class GgufFile implements AutoCloseable {
    static final int MAGIC = 0x46554747; // "GGUF" read little-endian
    static final String ALIGNMENT_KEY = "general.alignment";
    private static final int DEFAULT_ALIGNMENT = 32;
    private static final int MAX_DIMS = 4;
    private static final int MAX_NESTING = 8;

    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    // gguf_type value ids
    private static final int T_U8 = 0, T_I8 = 1, T_U16 = 2, T_I16 = 3, T_U32 = 4, T_I32 = 5, T_F32 = 6, T_BOOL = 7,
            T_STRING = 8, T_ARRAY = 9, T_U64 = 10, T_I64 = 11, T_F64 = 12;

    private final Path file;
    private final Arena arena;
    private final int version;
    private final Map<String, Object> metadata;
    private final Map<String, WeightTensor> tensors;

    private GgufFile(Path file, Arena arena, int version, Map<String, Object> metadata, Map<String, WeightTensor> tensors) {
        this.file = file;
        this.arena = arena;
        this.version = version;
        this.metadata = metadata;
        this.tensors = tensors;
    }

    /** The DType of a ggml type id, or null when we do not read that type. */
    static DType dtype(int ggmlType) {
        return switch (ggmlType) {
            case 0 -> DType.F32;
            case 1 -> DType.F16;
            case 2 -> DType.Q4_0;
            case 3 -> DType.Q4_1;
            case 6 -> DType.Q5_0;
            case 7 -> DType.Q5_1;
            case 8 -> DType.Q8_0;
            case 12 -> DType.Q4_K;
            case 13 -> DType.Q5_K;
            case 14 -> DType.Q6_K;
            case 24 -> DType.I8;
            case 25 -> DType.I16;
            case 26 -> DType.I32;
            case 27 -> DType.I64;
            case 28 -> DType.F64;
            case 30 -> DType.BF16;
            default -> null;
        };
    }

    static GgufFile open(Path file) {
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = channel.size();
            if (size < 4) {
                throw new WeightsException(file + ": truncated GGUF file: " + size + " bytes, fewer than the 4-byte magic");
            }
            MemorySegment all = channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            Reader in = new Reader(file, all);
            if (all.get(U32, 0) != MAGIC) {
                throw new WeightsException(file + ": not a GGUF file: bad magic "
                        + String.format("0x%08x, expected 0x%08x ('GGUF')", all.get(U32, 0), MAGIC));
            }
            in.pos = 4;
            int version = in.u32("version");
            if (version != 3 && version != 2) {
                throw new WeightsException(file + ": unsupported GGUF version " + Integer.toUnsignedString(version)
                        + ", expected 3 (or 2)");
            }
            long tensorCount = in.count("tensor count", 8 + 4 + 8);
            long kvCount = in.count("key/value count", 8 + 4);
            Map<String, Object> metadata = new LinkedHashMap<>();
            for (long i = 0; i < kvCount; i++) {
                String key = in.string("key of key/value " + i);
                int type = in.u32("type of key '" + key + "'");
                Object value = in.value(type, "key '" + key + "'", 0);
                if (metadata.putIfAbsent(key, value) != null) {
                    throw new WeightsException(file + ": key '" + key + "' is stored twice");
                }
            }
            long alignment = DEFAULT_ALIGNMENT;
            Object align = metadata.get(ALIGNMENT_KEY);
            if (align != null) {
                if (!(align instanceof Long a) || a <= 0 || Long.bitCount(a) != 1) {
                    throw new WeightsException(file + ": '" + ALIGNMENT_KEY + "' is " + align
                            + ", expected a positive power of two");
                }
                alignment = a;
            }
            record Info(String name, DType type, long[] shape, long offset, long bytes) {}
            List<Info> infos = new ArrayList<>();
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (long i = 0; i < tensorCount; i++) {
                String name = in.string("name of tensor " + i);
                String where = file + ": tensor '" + name + "'";
                if (!seen.add(name)) {
                    throw new WeightsException(where + " is stored twice");
                }
                int dims = in.u32("dimension count of tensor '" + name + "'");
                if (dims < 1 || dims > MAX_DIMS) {
                    throw new WeightsException(where + ": " + Integer.toUnsignedString(dims)
                            + " dimensions, expected 1 to " + MAX_DIMS);
                }
                long[] ne = new long[dims];
                long elements = 1;
                for (int d = 0; d < dims; d++) {
                    ne[d] = in.u64("dimension " + d + " of tensor '" + name + "'");
                    if (ne[d] < 0) {
                        throw new WeightsException(where + ": dimension " + d + " is " + Long.toUnsignedString(ne[d]));
                    }
                    try {
                        elements = Math.multiplyExact(elements, ne[d]);
                    } catch (ArithmeticException e) {
                        throw new WeightsException(where + ": shape " + Arrays.toString(ne) + " overflows 64 bits");
                    }
                }
                int typeId = in.u32("type of tensor '" + name + "'");
                DType type = dtype(typeId);
                if (type == null) {
                    throw new WeightsException(where + ": unknown or unsupported ggml type id " + typeId);
                }
                long offset = in.u64("data offset of tensor '" + name + "'");
                if (dims > 0 && ne[0] % type.blockElements() != 0) {
                    throw new WeightsException(where + ": row length " + ne[0] + " is not a multiple of the "
                            + type + " block size " + type.blockElements());
                }
                if (offset < 0 || offset % alignment != 0) {
                    throw new WeightsException(where + ": data offset " + Long.toUnsignedString(offset)
                            + " is not a multiple of the alignment " + alignment);
                }
                long bytes;
                try {
                    bytes = type.byteSize(elements);
                } catch (ArithmeticException e) {
                    throw new WeightsException(where + ": " + elements + " elements of " + type + " overflow 64 bits");
                }
                long[] shape = new long[dims];
                for (int d = 0; d < dims; d++) {
                    shape[d] = ne[dims - 1 - d];
                }
                infos.add(new Info(name, type, shape, offset, bytes));
            }
            long dataStart = (in.pos + alignment - 1) / alignment * alignment;
            Map<String, WeightTensor> tensors = new LinkedHashMap<>();
            for (Info t : infos) {
                long begin = dataStart + t.offset();
                if (begin < dataStart || begin > size || t.bytes() > size - begin) {
                    throw new WeightsException(file + ": tensor '" + t.name() + "' (" + t.type() + " "
                            + Arrays.toString(t.shape()) + ", " + t.bytes() + " bytes at data offset " + t.offset()
                            + ") runs past the end of the file (" + size + " bytes): the file is truncated");
                }
                tensors.put(t.name(), new WeightTensor(t.name(), t.type(), t.shape(), all.asSlice(begin, t.bytes())));
            }
            return new GgufFile(file, arena, version, Collections.unmodifiableMap(metadata),
                    Collections.unmodifiableMap(tensors));
        } catch (IOException e) {
            arena.close();
            throw new WeightsException(file + ": cannot read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** Sequential little-endian reads over the mapped header, each checked against the end of the file. */
    private static final class Reader {
        private final Path file;
        private final MemorySegment all;
        private final long size;
        long pos;

        Reader(Path file, MemorySegment all) {
            this.file = file;
            this.all = all;
            this.size = all.byteSize();
        }

        private void need(long bytes, String what) {
            if (bytes < 0 || bytes > size - pos) {
                throw new WeightsException(file + ": truncated GGUF header: " + what + " needs " + bytes
                        + " bytes at offset " + pos + " of a " + size + "-byte file");
            }
        }

        int u32(String what) {
            need(4, what);
            int v = all.get(U32, pos);
            pos += 4;
            return v;
        }

        long u64(String what) {
            need(8, what);
            long v = all.get(U64, pos);
            pos += 8;
            return v;
        }

        /** A count of entries that each take at least {@code minBytes}: larger than the file allows is an error. */
        long count(String what, long minBytes) {
            long n = u64(what);
            if (n < 0 || n > (size - pos) / minBytes + 1) {
                throw new WeightsException(file + ": truncated GGUF header: " + what + " "
                        + Long.toUnsignedString(n) + " cannot fit the remaining " + (size - pos) + " bytes");
            }
            return n;
        }

        String string(String what) {
            long length = u64("length of " + what);
            need(length, what);
            if (length > Integer.MAX_VALUE - 8) {
                throw new WeightsException(file + ": " + what + " is " + length + " bytes long");
            }
            byte[] bytes = all.asSlice(pos, length).toArray(ValueLayout.JAVA_BYTE);
            pos += length;
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                        .onUnmappableCharacter(CodingErrorAction.REPLACE).decode(java.nio.ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException e) {
                throw new WeightsException(file + ": " + what + " is not UTF-8", e);
            }
        }

        Object value(int type, String what, int depth) {
            return switch (type) {
                case T_U8 -> { need(1, what); yield (long) Byte.toUnsignedInt(all.get(ValueLayout.JAVA_BYTE, pos++)); }
                case T_I8 -> { need(1, what); yield (long) all.get(ValueLayout.JAVA_BYTE, pos++); }
                case T_U16 -> { need(2, what); long v = Short.toUnsignedLong(all.get(U16, pos)); pos += 2; yield v; }
                case T_I16 -> { need(2, what); long v = all.get(U16, pos); pos += 2; yield v; }
                case T_U32 -> Integer.toUnsignedLong(u32(what));
                case T_I32 -> (long) u32(what);
                case T_F32 -> { need(4, what); double v = all.get(F32, pos); pos += 4; yield v; }
                case T_BOOL -> {
                    need(1, what);
                    byte b = all.get(ValueLayout.JAVA_BYTE, pos++);
                    if (b != 0 && b != 1) {
                        throw new WeightsException(file + ": " + what + ": bool byte is " + b + ", expected 0 or 1");
                    }
                    yield b == 1;
                }
                case T_STRING -> string(what);
                case T_U64, T_I64 -> u64(what); // u64 above 2^63 keeps its bits; no real key gets there
                case T_F64 -> { need(8, what); double v = all.get(F64, pos); pos += 8; yield v; }
                case T_ARRAY -> {
                    if (depth >= MAX_NESTING) {
                        throw new WeightsException(file + ": " + what + ": arrays nested deeper than " + MAX_NESTING);
                    }
                    int elementType = u32("element type of " + what);
                    long n = count("length of array " + what, elementType == T_ARRAY || elementType == T_STRING ? 8
                            : elementType == T_U8 || elementType == T_I8 || elementType == T_BOOL ? 1
                            : elementType == T_U16 || elementType == T_I16 ? 2
                            : elementType == T_U64 || elementType == T_I64 || elementType == T_F64 ? 8 : 4);
                    if (n > Integer.MAX_VALUE - 8) {
                        throw new WeightsException(file + ": " + what + ": array of " + n + " elements");
                    }
                    List<Object> list = new ArrayList<>((int) n);
                    for (long i = 0; i < n; i++) {
                        list.add(value(elementType, what, depth + 1));
                    }
                    yield Collections.unmodifiableList(list);
                }
                default -> throw new WeightsException(file + ": " + what + ": unknown GGUF value type " + type);
            };
        }
    }

    Path file() {
        return file;
    }

    int version() {
        return version;
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
