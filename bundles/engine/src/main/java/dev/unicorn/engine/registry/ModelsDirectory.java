package dev.unicorn.engine.registry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

import dev.unicorn.api.model.ModelRegistry;

/**
 * The models in a folder: {@code *.gguf} files and Hugging Face folders (with a {@code config.json}), by id. Files
 * still being written ({@code .part}, hidden) are skipped; when two entries give the same id the first in name order
 * wins.
 */
final class ModelsDirectory {
    private ModelsDirectory() {
    }

    static Map<String, Path> scan(Path folder) {
        Map<String, Path> found = new LinkedHashMap<>();
        if (!Files.isDirectory(folder)) {
            return found;
        }
        try (Stream<Path> entries = Files.list(folder)) {
            entries.sorted().forEach(p -> {
                String name = p.getFileName().toString();
                boolean gguf = Files.isRegularFile(p) && name.toLowerCase(java.util.Locale.ROOT).endsWith(".gguf");
                boolean hf = Files.isDirectory(p) && Files.isRegularFile(p.resolve("config.json"));
                if (!name.startsWith(".") && (gguf || hf)) {
                    found.putIfAbsent(ModelRegistry.idOf(p), p.toAbsolutePath().normalize());
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the models directory " + folder + ": " + e.getMessage(), e);
        }
        return found;
    }

    /** Bytes on disk of a file or a folder's files. */
    static long size(Path location) {
        try (Stream<Path> files = Files.walk(location)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    return 0;
                }
            }).sum();
        } catch (IOException e) {
            return 0;
        }
    }
}
