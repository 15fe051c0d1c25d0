package dev.moat.core.plugin;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What became of one plugin at start-up, for the log and {@code /api/v1/filters}.
 *
 * @param name       the plugin's directory name, or the provider's class name for a plugin on Moat's
 *                   own class path (the built-in filters)
 * @param source     the plugin directory, or {@code class-path}
 * @param apiVersion the filter API version the plugin was built against (empty on the class path)
 * @param types      the filter types it provides (empty when skipped)
 * @param skipped    true if it was left out ({@code plugins.on-error: skip})
 * @param problem    why it was left out
 */
public record PluginReport(String name, String source, Optional<String> apiVersion, List<String> types,
        boolean skipped, Optional<String> problem) {

    public PluginReport {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(apiVersion, "apiVersion");
        types = List.copyOf(types);
        Objects.requireNonNull(problem, "problem");
        if (skipped != problem.isPresent()) {
            throw new IllegalArgumentException("a skipped plugin, and only one, has a problem");
        }
    }

    /** {@code loaded} or {@code skipped}. */
    public String status() {
        return skipped ? "skipped" : "loaded";
    }
}
