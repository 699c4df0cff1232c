package dev.unicorn.engine.weights;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.osgi.service.component.annotations.Component;

import dev.unicorn.api.weights.WeightsFormat;
import dev.unicorn.api.weights.WeightsSource;

/** llama.cpp's single-file GGUF (version 3, or 2): a {@code *.gguf} file, or any file starting with {@code GGUF}. */
@Component
public final class GgufFormat implements WeightsFormat {

    @Override
    public String name() {
        return "gguf";
    }

    @Override
    public boolean recognizes(Path model) {
        if (!Files.isRegularFile(model)) {
            return false;
        }
        if (model.getFileName().toString().endsWith(".gguf")) {
            return true;
        }
        try (InputStream in = Files.newInputStream(model)) {
            byte[] magic = in.readNBytes(4);
            return magic.length == 4 && magic[0] == 'G' && magic[1] == 'G' && magic[2] == 'U' && magic[3] == 'F';
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public WeightsSource open(Path model) {
        return new GgufSource(GgufFile.open(model));
    }
}
