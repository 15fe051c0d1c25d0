package dev.moat.core.store;

import java.util.Objects;

/**
 * What one filter decided about a captured message, kept in the envelope so that an operator looking
 * at the inbox or the quarantine can see why the gateway did what it did.
 *
 * <p>Plain strings on purpose: the store must be able to read back records written by older or newer
 * gateways whose filter and verdict vocabularies differ. Immutable and thread-safe.
 *
 * @param filter  the configured filter instance name, e.g. {@code "spamassassin"}
 * @param type    the filter type, e.g. {@code "spamd"}
 * @param stage   the filter stage the verdict was given at, e.g. {@code "data"}
 * @param verdict the verdict label, e.g. {@code "accept"}, {@code "quarantine"}
 * @param detail  free text from the filter; {@code ""} if none
 */
public record VerdictRecord(String filter, String type, String stage, String verdict, String detail) {

    /** Rejects nulls; use {@code ""} for an absent detail. */
    public VerdictRecord {
        Objects.requireNonNull(filter, "filter");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(detail, "detail");
    }
}
