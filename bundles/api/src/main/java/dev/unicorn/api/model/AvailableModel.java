package dev.unicorn.api.model;

import java.nio.file.Path;

/**
 * A model the runtime can serve.
 *
 * @param id        its stable id: the file or folder name (see {@link ModelRegistry#idOf})
 * @param location  its GGUF file or Hugging Face folder
 * @param status    loaded or not
 * @param sizeBytes bytes on disk
 */
public record AvailableModel(String id, Path location, ModelStatus status, long sizeBytes) {
}
