package dev.unicorn.engine.structured;

import java.util.Map;
import java.util.WeakHashMap;

import org.osgi.service.component.annotations.Component;

import dev.unicorn.api.generation.StructuredOutput;
import dev.unicorn.api.generation.TokenConstraint;
import dev.unicorn.api.model.Model;
import dev.unicorn.api.text.Tokenizer;

/**
 * JSON output by constrained decoding: a schema is compiled to a grammar, and each step allows only the tokens that
 * keep the output a valid prefix. The vocabulary trie of a model is built on first use and kept while the model is.
 */
@Component(service = StructuredOutput.class)
public final class JsonStructuredOutput implements StructuredOutput {
    private final Map<Model, Lazy> tries = new WeakHashMap<>();

    @Override
    public TokenConstraint jsonObject(Model model) {
        return new JsonConstraint(SchemaCompiler.ANY_OBJECT, trie(model), model.stopTokenIds());
    }

    @Override
    public TokenConstraint jsonSchema(Model model, Map<String, Object> schema) {
        SchemaNode node = SchemaCompiler.compile(schema);
        return new JsonConstraint(node, trie(model), model.stopTokenIds());
    }

    private VocabularyTrie trie(Model model) {
        Lazy lazy;
        synchronized (tries) {
            lazy = tries.computeIfAbsent(model, m -> new Lazy());
        }
        return lazy.get(model);
    }

    /** One model's trie, built once by the first request that needs it while others for that model wait. */
    private static final class Lazy {
        private VocabularyTrie trie;

        synchronized VocabularyTrie get(Model model) {
            if (trie == null) {
                Tokenizer tokenizer = model.tokenizer().orElseThrow(() -> new IllegalArgumentException(
                        model.location().getFileName() + " has no tokenizer: constrained decoding needs token texts"));
                int size = Math.min(tokenizer.vocabularySize(), model.network().info().vocabularySize());
                trie = VocabularyTrie.of(tokenizer, size);
            }
            return trie;
        }
    }
}
