/**
 * Reading Hugging Face {@code config.json} files in both the transformers 4.x and 5.x forms, with the class
 * defaults transformers applies to omitted fields.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.unicorn.engine.config;
