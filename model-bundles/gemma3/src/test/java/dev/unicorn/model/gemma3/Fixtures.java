package dev.unicorn.model.gemma3;

import dev.unicorn.testing.ReferenceFixtures;

/** The reference fixtures made by tools/reference/make_gemma3_fixtures.py with transformers. */
final class Fixtures {
    static final ReferenceFixtures FIXTURES = new ReferenceFixtures("gemma3", new Gemma3Architecture());

    private Fixtures() {
    }
}
