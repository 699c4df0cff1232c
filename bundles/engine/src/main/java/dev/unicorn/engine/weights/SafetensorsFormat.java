package dev.unicorn.engine.weights;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

import org.osgi.service.component.annotations.Component;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.unicorn.api.weights.WeightsException;
import dev.unicorn.api.weights.WeightsFormat;
import dev.unicorn.api.weights.WeightsSource;

/** Hugging Face safetensors: {@code model.safetensors}, or shards listed by {@code model.safetensors.index.json}. */
@Component
public final class SafetensorsFormat implements WeightsFormat {
    static final String SINGLE = "model.safetensors";
    static final String INDEX = "model.safetensors.index.json";

    private final ObjectMapper json = new ObjectMapper();

    @Override
    public String name() {
        return "safetensors";
    }

    @Override
    public boolean recognizes(Path model) {
        return Files.isDirectory(model) ? Files.isRegularFile(model.resolve(INDEX)) || Files.isRegularFile(model.resolve(SINGLE))
                : model.getFileName().toString().endsWith(".safetensors");
    }

    @Override
    public WeightsSource open(Path model) {
        if (!Files.isDirectory(model)) {
            return new SafetensorsSource(model, List.of(SafetensorsFile.open(model, json)));
        }
        Path index = model.resolve(INDEX);
        if (!Files.isRegularFile(index)) {
            Path single = model.resolve(SINGLE);
            if (!Files.isRegularFile(single)) {
                throw new WeightsException(model + ": no " + SINGLE + " or " + INDEX);
            }
            return new SafetensorsSource(model, List.of(SafetensorsFile.open(single, json)));
        }
        TreeSet<String> shardNames = new TreeSet<>();
        try {
            JsonNode map = json.readTree(index.toFile()).path("weight_map");
            if (!map.isObject()) {
                throw new WeightsException(index + ": 'weight_map' is missing or not an object");
            }
            map.properties().forEach(e -> shardNames.add(e.getValue().asText()));
        } catch (IOException e) {
            throw new WeightsException(index + ": not valid JSON: " + e.getMessage(), e);
        }
        List<SafetensorsFile> shards = new ArrayList<>();
        try {
            for (String name : shardNames) {
                Path shard = model.resolve(name).normalize();
                if (!shard.startsWith(model.normalize()) || !Files.isRegularFile(shard)) {
                    throw new WeightsException(index + ": shard '" + name + "' listed in weight_map is missing");
                }
                shards.add(SafetensorsFile.open(shard, json));
            }
        } catch (RuntimeException e) {
            shards.forEach(SafetensorsFile::close);
            throw e;
        }
        return new SafetensorsSource(model, shards);
    }
}
