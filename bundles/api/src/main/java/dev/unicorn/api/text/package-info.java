/**
 * Text in and out of a model: tokenizers and chat templates.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.unicorn.api.text;
