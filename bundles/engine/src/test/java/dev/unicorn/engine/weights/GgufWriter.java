package dev.unicorn.engine.weights;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Writes small GGUF files byte by byte, following the GGUF v3 layout, so tests can also write broken ones. */
final class GgufWriter {
    private int magic = GgufFile.MAGIC;
    private int version = 3;
    private final ByteArrayOutputStream kv = new ByteArrayOutputStream();
    private int kvCount;
    private final List<Object[]> tensors = new ArrayList<>();
    private int alignment = 32;
    private long truncateBy;

    GgufWriter magic(int m) {
        magic = m;
        return this;
    }

    GgufWriter version(int v) {
        version = v;
        return this;
    }

    GgufWriter truncateBy(long bytes) {
        truncateBy = bytes;
        return this;
    }

    GgufWriter u32(String key, int value) {
        key(key, 4);
        le(kv, 4, value);
        return this;
    }

    GgufWriter alignment(int a) {
        alignment = a;
        return u32(GgufFile.ALIGNMENT_KEY, a);
    }

    GgufWriter string(String key, String value) {
        key(key, 8);
        str(kv, value);
        return this;
    }

    GgufWriter strings(String key, List<String> values) {
        key(key, 9);
        le(kv, 4, 8);
        le(kv, 8, values.size());
        values.forEach(v -> str(kv, v));
        return this;
    }

    private void key(String key, int type) {
        str(kv, key);
        le(kv, 4, type);
        kvCount++;
    }

    /** A tensor with {@code ne} innermost first, ggml type id, its bytes (placed at the next aligned offset). */
    GgufWriter tensor(String name, int ggmlType, long[] ne, byte[] data) {
        tensors.add(new Object[] {name, ggmlType, ne, data});
        return this;
    }

    byte[] bytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        le(out, 4, magic);
        le(out, 4, version);
        le(out, 8, tensors.size());
        le(out, 8, kvCount);
        out.writeBytes(kv.toByteArray());
        long offset = 0;
        List<Long> offsets = new ArrayList<>();
        for (Object[] t : tensors) {
            long[] ne = (long[]) t[2];
            str(out, (String) t[0]);
            le(out, 4, ne.length);
            for (long d : ne) {
                le(out, 8, d);
            }
            le(out, 4, (Integer) t[1]);
            le(out, 8, offset);
            offsets.add(offset);
            offset += (((byte[]) t[3]).length + alignment - 1) / alignment * alignment;
        }
        while (out.size() % alignment != 0) {
            out.write(0);
        }
        for (Object[] t : tensors) {
            byte[] d = (byte[]) t[3];
            out.writeBytes(d);
            for (int p = d.length; p % alignment != 0; p++) {
                out.write(0);
            }
        }
        byte[] all = out.toByteArray();
        return java.util.Arrays.copyOf(all, (int) (all.length - truncateBy));
    }

    Path write(Path file) throws IOException {
        return Files.write(file, bytes());
    }

    private static void str(ByteArrayOutputStream out, String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        le(out, 8, b.length);
        out.writeBytes(b);
    }

    private static void le(ByteArrayOutputStream out, int bytes, long v) {
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v);
        out.write(b.array(), 0, bytes);
    }
}
