package dev.unicorn.chattemplate;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the committed chat-template fixtures are (system property {@code unicorn.root}, else the working tree). */
final class Fixtures {
    private Fixtures() {
    }

    static Path root() {
        String root = System.getProperty("unicorn.root");
        Path base = root != null && !root.isBlank() ? Path.of(root) : Path.of("../..");
        Path dir = base.resolve("fixtures/chat-templates");
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("fixtures not found at " + dir.toAbsolutePath());
        }
        return dir;
    }
}
