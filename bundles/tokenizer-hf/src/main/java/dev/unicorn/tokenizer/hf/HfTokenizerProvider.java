package dev.unicorn.tokenizer.hf;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

import org.osgi.service.component.annotations.Component;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.unicorn.api.text.Tokenizer;
import dev.unicorn.api.text.TokenizerProvider;

/** Opens a model's Hugging Face {@code tokenizer.json} with the DJL bindings of the Rust tokenizers library. */
@Component(service = TokenizerProvider.class)
public final class HfTokenizerProvider implements TokenizerProvider {

    static final String TOKENIZER_FILE = "tokenizer.json";

    /** DJL truncates to 512 tokens and pads unless told otherwise; a prompt must come out whole. */
    private static final Map<String, String> DJL_OPTIONS = Map.of(
            "truncation", "false",
            "padding", "false",
            "addSpecialTokens", "true");

    static {
        // Offline mode makes DJL use the embedded CPU library (never download a CUDA build) and skips its telemetry.
        System.getProperties().putIfAbsent("ai.djl.offline", "true");
    }

    @Override
    public Optional<Tokenizer> open(Path location, java.util.Map<String, Object> metadata) {
        Path file = Files.isDirectory(location) ? location.resolve(TOKENIZER_FILE) : location;
        if (!Files.isRegularFile(file) || !file.getFileName().toString().equals(TOKENIZER_FILE)) {
            return Optional.empty();
        }
        TokenizerVocabulary vocabulary = TokenizerVocabulary.read(file);
        HuggingFaceTokenizer djl = withBundleClassLoader(() -> {
            try (InputStream in = Files.newInputStream(file)) {
                return HuggingFaceTokenizer.newInstance(in, DJL_OPTIONS);
            } catch (IOException e) {
                throw new IllegalArgumentException("Cannot read " + file + ": " + e.getMessage(), e);
            } catch (RuntimeException e) {
                if (e instanceof IllegalArgumentException) {
                    throw e;
                }
                throw new IllegalArgumentException(
                        "Malformed tokenizer file " + file + ": " + e.getMessage(), e);
            }
        });
        return Optional.of(new HfTokenizer(djl, vocabulary));
    }

    /**
     * DJL finds its native library and properties through the thread context class loader, which inside OSGi is
     * not this bundle's loader; the first DJL call loads the native library and a failure there is permanent.
     */
    static <T> T withBundleClassLoader(Callable<T> call) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(HfTokenizerProvider.class.getClassLoader());
        try {
            return call.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }
}
