package dev.moat.core.reload;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of a successful reload, for the log, the admin API and the operator.
 *
 * @param generation      the new policy's generation
 * @param loadedAt        when it was built
 * @param filtersChanged  whether the {@code filters} list differs from the previous one (the chain
 *                        is rebuilt either way, so files the filters read are read again)
 * @param routesChanged   whether the {@code routes} list differs from the previous one
 * @param restartRequired the top-level sections that differ from the running configuration but
 *                        only take effect at a restart ({@code server}, {@code listeners},
 *                        {@code limits}, {@code capture}, {@code admin}, {@code plugins}, {@code queue}); empty when none
 */
public record ReloadReport(long generation, Instant loadedAt, boolean filtersChanged, boolean routesChanged,
        List<String> restartRequired) {

    /** The sections a reload applies; everything else needs a restart. */
    public static final List<String> APPLIED = List.of("filters", "routes");

    public ReloadReport {
        Objects.requireNonNull(loadedAt, "loadedAt");
        restartRequired = List.copyOf(restartRequired);
    }
}
