package dev.unicorn.engine.loader;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import dev.unicorn.api.backend.ComputeBackend;
import dev.unicorn.api.model.LoadedModel;
import dev.unicorn.api.model.MemoryEstimate;
import dev.unicorn.api.model.Model;
import dev.unicorn.api.model.ModelArchitecture;
import dev.unicorn.api.model.ModelConfig;
import dev.unicorn.api.model.ModelException;
import dev.unicorn.api.model.ModelLoader;
import dev.unicorn.api.text.ChatTemplate;
import dev.unicorn.api.text.ChatTemplateProvider;
import dev.unicorn.api.text.Tokenizer;
import dev.unicorn.api.text.TokenizerProvider;
import dev.unicorn.api.weights.WeightsFormat;
import dev.unicorn.api.weights.WeightsSource;
import dev.unicorn.engine.config.HfConfig;

/**
 * Loads Hugging Face model folders and GGUF files with whatever architectures, weights formats, backends and tokenizers are
 * registered at the moment of the call; bundles bringing them may come and go.
 */
@Component
public final class DefaultModelLoader implements ModelLoader {
    private final ServiceSnapshot<ModelArchitecture> architectures = new ServiceSnapshot<>();
    private final ServiceSnapshot<WeightsFormat> formats = new ServiceSnapshot<>();
    private final ServiceSnapshot<ComputeBackend> backends = new ServiceSnapshot<>();
    private final ServiceSnapshot<TokenizerProvider> tokenizers = new ServiceSnapshot<>();
    private final ServiceSnapshot<ChatTemplateProvider> templates = new ServiceSnapshot<>();

    /**
     * Configuration (PID {@code dev.unicorn.engine.loader.DefaultModelLoader}) only sets reference targets, e.g.
     * {@code Backend.target=(unicorn.backend=cpu)}. With a modified method Declarative Services rebinds the dynamic
     * references in place; without one it would deactivate the loader, and with it the registry that holds it
     * statically, unloading every model.
     */
    @Modified
    void modified() {
        // the targets are applied by Declarative Services
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    public void addArchitecture(ModelArchitecture a) {
        architectures.add(a);
    }

    public void removeArchitecture(ModelArchitecture a) {
        architectures.remove(a);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    public void addFormat(WeightsFormat f) {
        formats.add(f);
    }

    public void removeFormat(WeightsFormat f) {
        formats.remove(f);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    public void addBackend(ComputeBackend b) {
        backends.add(b);
    }

    public void removeBackend(ComputeBackend b) {
        backends.remove(b);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    public void addTokenizerProvider(TokenizerProvider t) {
        tokenizers.add(t);
    }

    public void removeTokenizerProvider(TokenizerProvider t) {
        tokenizers.remove(t);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC,
            policyOption = ReferencePolicyOption.GREEDY)
    public void addChatTemplateProvider(ChatTemplateProvider t) {
        templates.add(t);
    }

    public void removeChatTemplateProvider(ChatTemplateProvider t) {
        templates.remove(t);
    }

    /** The backends registered now, best first. */
    public List<ComputeBackend> backends() {
        return backends.get().stream().sorted(Comparator.comparingInt(ComputeBackend::rank).reversed()).toList();
    }

    @Override
    public Model load(Path location, String backendId) {
        ComputeBackend backend = backend(backendId);
        Opened opened = open(location);
        ModelConfig config = opened.config;
        ModelArchitecture architecture = opened.architecture;
        WeightsSource weights = opened.weights;
        LoadedModel network;
        try {
            network = architecture.load(config, weights, backend);
        } catch (RuntimeException e) {
            weights.close();
            throw e;
        }
        Tokenizer tokenizer = null;
        try {
            tokenizer = first(tokenizers.get(), p -> p.open(location, weights.metadata())).orElse(null);
            ChatTemplate template = first(templates.get(), p -> p.open(location, weights.metadata())).orElse(null);
            // In a GGUF file the vocabulary and the embedding must have one row per token, as llama.cpp requires.
            int embedded = network.info().vocabularySize();
            if (weights.metadata().get("tokenizer.ggml.tokens") instanceof List<?> tokens && tokens.size() != embedded) {
                throw new ModelException(location + ": the vocabulary (tokenizer.ggml.tokens) has " + tokens.size()
                        + " tokens but the embedding has " + embedded + " rows");
            }
            Set<Integer> stops = StopTokens.read(location, tokenizer, weights.metadata());
            return new HfModel(location, network, tokenizer, template, stops, backend.id());
        } catch (RuntimeException e) {
            network.close();
            if (tokenizer != null) {
                tokenizer.close();
            }
            throw e;
        }
    }

    @Override
    public MemoryEstimate estimate(Path location, int contextTokens) {
        if (contextTokens <= 0) {
            throw new IllegalArgumentException("context tokens must be positive, got " + contextTokens);
        }
        Opened opened = open(location);
        try (WeightsSource weights = opened.weights) {
            return MemoryEstimator.estimate(opened.config, weights, contextTokens);
        }
    }

    /** A model's config, architecture and mapped (not yet bound) weights. */
    private record Opened(ModelConfig config, ModelArchitecture architecture, WeightsSource weights) {
    }

    private Opened open(Path location) {
        if (!Files.exists(location)) {
            throw new ModelException(location + ": no such model folder or file");
        }
        if (Files.isDirectory(location)) {
            // A Hugging Face folder: config.json names the architecture before any weight is mapped.
            ModelConfig config = HfConfig.read(location);
            ModelArchitecture architecture = architecture(config);
            return new Opened(config, architecture, format(location).open(location));
        }
        // A single file (GGUF): its metadata is the config.
        WeightsSource weights = format(location).open(location);
        try {
            Map<String, Object> values = new HashMap<>(weights.metadata());
            Object arch = values.get("general.architecture");
            if (arch == null) {
                throw new ModelException(location + ": metadata key 'general.architecture' is missing");
            }
            values.put("architectures", List.of(arch.toString()));
            ModelConfig config = new ModelConfig(location, values);
            return new Opened(config, architecture(config), weights);
        } catch (RuntimeException e) {
            weights.close();
            throw e;
        }
    }

    private WeightsFormat format(Path location) {
        return formats.get().stream().filter(f -> f.recognizes(location)).findFirst()
                .orElseThrow(() -> new ModelException(location + ": no weights found (formats installed: "
                        + formats.get().stream().map(WeightsFormat::name).toList() + ")"));
    }

    private static <P, T> Optional<T> first(List<P> providers, Function<P, Optional<T>> open) {
        for (P p : providers) {
            Optional<T> t = open.apply(p);
            if (t.isPresent()) {
                return t;
            }
        }
        return Optional.empty();
    }

    private ModelArchitecture architecture(ModelConfig config) {
        List<String> names = config.architectures();
        if (names.isEmpty()) {
            throw new ModelException(config.file() + ": field 'architectures' is missing or empty; expected e.g. "
                    + "[\"Qwen2ForCausalLM\"]");
        }
        for (ModelArchitecture a : architectures.get()) {
            for (String name : names) {
                if (a.architectureNames().contains(name)) {
                    return a;
                }
            }
        }
        throw new ModelException(config.file() + ": unknown architecture " + names + "; installed architectures: "
                + architectures.get().stream().flatMap(a -> a.architectureNames().stream()).sorted().toList());
    }

    private ComputeBackend backend(String id) {
        List<ComputeBackend> ranked = backends();
        if (ranked.isEmpty()) {
            throw new ModelException("no compute backend is installed");
        }
        if (id == null) {
            return ranked.get(0);
        }
        return ranked.stream().filter(b -> b.id().equals(id)).findFirst().orElseThrow(() -> new ModelException(
                "unknown backend '" + id + "'; installed: " + ranked.stream().map(ComputeBackend::id).toList()));
    }

}
