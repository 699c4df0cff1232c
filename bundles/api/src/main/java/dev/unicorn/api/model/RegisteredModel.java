package dev.unicorn.api.model;

import java.time.Instant;

/**
 * A model loaded into the {@link ModelRegistry}.
 *
 * @param id       the name clients use (an OpenAI {@code model} field, a chat's {@code /model NAME})
 * @param model    the loaded model
 * @param loadedAt when it finished loading
 */
public record RegisteredModel(String id, Model model, Instant loadedAt) {
}
