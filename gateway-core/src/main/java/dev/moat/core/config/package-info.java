/**
 * Moat's configuration: one strict YAML file turned into immutable records.
 *
 * <p>The gateway sits on the perimeter, so a typo in its configuration must never silently widen
 * what it accepts. Everything here therefore fails early and loudly: unknown keys, wrong types,
 * out-of-range values and missing files are reported at start-up as a {@link
 * dev.moat.core.config.ConfigException} naming the key path and the offending value. Once loaded,
 * a {@link dev.moat.core.config.MoatConfig} is immutable and can be shared by every thread.
 *
 * <p>Entry point: {@link dev.moat.core.config.ConfigLoader}. Units for sizes and durations, which
 * filters reuse for their own settings: {@link dev.moat.core.config.Units}.
 */
package dev.moat.core.config;
