/**
 * Generating tokens: sampling parameters, samplers and the streaming generation service.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
package dev.unicorn.api.generation;
