/**
 * Commands of the {@code ./unicorn} launcher contributed by frontend bundles.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.unicorn.api.command;
