package dev.unicorn.engine.registry;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the model registry, PID {@code dev.unicorn.models} (e.g. {@code dev.unicorn.models.cfg}). */
@ObjectClassDefinition(id = ModelsConfiguration.PID, name = "Unicorn models",
        description = "Where models are found, how much memory they may use and how long idle ones stay loaded")
public @interface ModelsConfiguration {
    String PID = "dev.unicorn.models";

    @AttributeDefinition(description = "Folder of GGUF files and Hugging Face model folders; empty: the system "
            + "property unicorn.models, else ~/.unicorn/models")
    String modelsDirectory() default "";

    @AttributeDefinition(description = "Memory budget of all loaded models together, in MiB; 0: 80% of the "
            + "machine's physical memory")
    long memoryBudgetMiB() default 0;

    @AttributeDefinition(description = "Seconds an idle model stays loaded; negative: forever")
    long keepAliveSeconds() default 300;

    @AttributeDefinition(description = "Tokens of KV cache budgeted per model (all its sequences together)")
    int contextTokens() default 8192;
}
