package dev.unicorn.frontend.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes float32 logits as a safetensors file holding one tensor, {@code logits [positions, vocab]}. */
final class LogitsFile {
    private LogitsFile() {
    }

    static void write(Path file, float[] logits, int positions, int vocab) throws IOException {
        long bytes = 4L * positions * vocab;
        StringBuilder header = new StringBuilder("{\"logits\":{\"dtype\":\"F32\",\"shape\":[").append(positions)
                .append(',').append(vocab).append("],\"data_offsets\":[0,").append(bytes).append("]}}");
        while ((8 + header.length()) % 8 != 0) {
            header.append(' ');
        }
        byte[] h = header.toString().getBytes(StandardCharsets.UTF_8);
        Path tmp = file.resolveSibling(file.getFileName() + ".part");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length);
            out.write(len.array());
            out.write(h);
            ByteBuffer data = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i < positions * vocab; i++) {
                if (!data.hasRemaining()) {
                    out.write(data.array(), 0, data.position());
                    data.clear();
                }
                data.putFloat(logits[i]);
            }
            out.write(data.array(), 0, data.position());
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
