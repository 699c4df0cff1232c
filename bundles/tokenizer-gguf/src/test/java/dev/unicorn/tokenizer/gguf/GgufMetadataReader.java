package dev.unicorn.tokenizer.gguf;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Test-only: the KV metadata of a GGUF file (v2/v3), values as the real reader hands them over. */
final class GgufMetadataReader {

    private GgufMetadataReader() {
    }

    static Map<String, Object> read(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = Math.min(channel.size(), Integer.MAX_VALUE);
            ByteBuffer buffer = channel.map(FileChannel.MapMode.READ_ONLY, 0, size).order(ByteOrder.LITTLE_ENDIAN);
            if (buffer.getInt() != 0x46554747) {
                throw new IOException(file + " is no GGUF file");
            }
            int version = buffer.getInt();
            if (version < 2) {
                throw new IOException(file + ": GGUF version " + version + " is not supported");
            }
            buffer.getLong(); // tensor count
            long count = buffer.getLong();
            Map<String, Object> metadata = new LinkedHashMap<>();
            for (long i = 0; i < count; i++) {
                String key = string(buffer);
                metadata.put(key, value(buffer, buffer.getInt()));
            }
            return metadata;
        }
    }

    private static String string(ByteBuffer buffer) {
        byte[] bytes = new byte[Math.toIntExact(buffer.getLong())];
        buffer.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static Object value(ByteBuffer buffer, int type) throws IOException {
        return switch (type) {
            case 0 -> (long) (buffer.get() & 0xFF);
            case 1 -> (long) buffer.get();
            case 2 -> (long) (buffer.getShort() & 0xFFFF);
            case 3 -> (long) buffer.getShort();
            case 4 -> buffer.getInt() & 0xFFFFFFFFL;
            case 5 -> (long) buffer.getInt();
            case 6 -> (double) buffer.getFloat();
            case 7 -> buffer.get() != 0;
            case 8 -> string(buffer);
            case 9 -> {
                int elementType = buffer.getInt();
                int length = Math.toIntExact(buffer.getLong());
                List<Object> list = new ArrayList<>(length);
                for (int i = 0; i < length; i++) {
                    list.add(value(buffer, elementType));
                }
                yield list;
            }
            case 10, 11 -> buffer.getLong();
            case 12 -> buffer.getDouble();
            default -> throw new IOException("unknown GGUF value type " + type);
        };
    }
}
