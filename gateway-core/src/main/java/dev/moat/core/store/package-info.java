/**
 * The capture store: a directory of accepted messages ({@code <id>.eml} plus {@code <id>.json}) used
 * as the local inbox when no internal MTA is configured, and as the quarantine. Start at
 * {@link dev.moat.core.store.CaptureStore}; the file format is described in
 * {@code docs/capture-store.md}.
 */
package dev.moat.core.store;
