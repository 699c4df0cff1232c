package dev.unicorn.api.generation;

import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

import dev.unicorn.api.model.Model;

/**
 * Constraints that make a model's output valid JSON, for OpenAI's {@code response_format} and forced tool calls.
 * Each call returns a fresh constraint for one generation.
 */
@ProviderType
public interface StructuredOutput {

    /** Output that is one JSON object (OpenAI {@code json_object}). */
    TokenConstraint jsonObject(Model model);

    /**
     * Output that is one JSON value valid against {@code schema} (a parsed JSON Schema, as OpenAI's
     * {@code json_schema.schema}).
     *
     * @throws IllegalArgumentException naming the part of the schema that is malformed or not supported
     */
    TokenConstraint jsonSchema(Model model, Map<String, Object> schema);
}
