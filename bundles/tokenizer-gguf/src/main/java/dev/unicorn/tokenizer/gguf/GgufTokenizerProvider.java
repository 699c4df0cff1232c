package dev.unicorn.tokenizer.gguf;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

import org.osgi.service.component.annotations.Component;

import dev.unicorn.api.text.Tokenizer;
import dev.unicorn.api.text.TokenizerProvider;

/**
 * Opens the tokenizer stored in a GGUF file's metadata ({@code tokenizer.ggml.*}): SentencePiece-style for model
 * {@code llama} (Gemma), byte-level BPE for {@code gpt2} (Qwen). Produces the ids of the model's Hugging Face tokenizer.
 */
@Component(service = TokenizerProvider.class)
public final class GgufTokenizerProvider implements TokenizerProvider {

    @Override
    public Optional<Tokenizer> open(Path location, Map<String, Object> metadata) {
        if (metadata == null || !metadata.containsKey(GgufVocabulary.MODEL)) {
            return Optional.empty();
        }
        // llama.cpp writes "none" / "no_vocab" for models that carry no tokenizer.
        Object model = metadata.get(GgufVocabulary.MODEL);
        if ("none".equals(model) || "no_vocab".equals(model)) {
            return Optional.empty();
        }
        GgufVocabulary vocabulary = GgufVocabulary.read(location, metadata);
        return switch (vocabulary.model) {
            case "llama" -> Optional.of(new SentencePieceTokenizer(vocabulary));
            case "gpt2" -> Optional.of(new ByteLevelBpeTokenizer(vocabulary));
            default -> throw vocabulary.malformed(GgufVocabulary.MODEL, "'llama' or 'gpt2'",
                    "'" + vocabulary.model + "'");
        };
    }
}
