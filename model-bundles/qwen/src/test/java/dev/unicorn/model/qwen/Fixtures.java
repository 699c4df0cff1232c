package dev.unicorn.model.qwen;

import dev.unicorn.testing.ReferenceFixtures;

/** The reference fixtures made by tools/reference/make_qwen_fixtures.py with transformers. */
final class Fixtures {
    static final ReferenceFixtures FIXTURES = new ReferenceFixtures("qwen", new QwenArchitecture());

    private Fixtures() {
    }
}
