package dev.moat.filter;

/**
 * The version of this filter API, {@code major.minor}. A plugin records the version it was built
 * against in its jar manifest under {@value #MANIFEST_ATTRIBUTE}. Moat loads a plugin whose major
 * version equals its own and whose minor version is not newer; anything else is refused at
 * start-up with both versions in the message. Within a major version the API only grows (new
 * types, new default methods), so a plugin built for 1.0 runs on every 1.x.
 */
public final class FilterApi {

    /** The jar manifest attribute holding the filter API version a plugin was built against. */
    public static final String MANIFEST_ATTRIBUTE = "Moat-Filter-Api-Version";

    // Not a compile-time constant on purpose: a plugin reading it gets the runtime's value.
    private static final String VERSION = String.valueOf("1.0");

    private FilterApi() {
    }

    /** The version this Moat provides, e.g. {@code 1.0}. */
    public static String version() {
        return VERSION;
    }

    /**
     * Why a plugin built against {@code pluginVersion} cannot run on this API, or {@code null} if
     * it can.
     */
    public static String incompatibility(String pluginVersion) {
        int[] plugin = parse(pluginVersion);
        if (plugin == null) {
            return "'" + pluginVersion + "' is not a filter API version (write major.minor, e.g. " + VERSION + ")";
        }
        int[] own = parse(VERSION);
        if (plugin[0] != own[0]) {
            return "it was built for filter API " + pluginVersion + ", but this Moat provides filter API " + VERSION
                    + " (major versions differ: rebuild the plugin against moat-filter-api " + own[0] + ".x)";
        }
        if (plugin[1] > own[1]) {
            return "it was built for filter API " + pluginVersion + ", newer than this Moat's " + VERSION
                    + " (upgrade Moat, or build the plugin against filter API " + VERSION + ")";
        }
        return null;
    }

    private static int[] parse(String version) {
        if (version == null || !version.strip().matches("[0-9]{1,4}\\.[0-9]{1,4}(\\.[0-9]{1,4})?")) {
            return null;
        }
        String[] parts = version.strip().split("\\.");
        return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
    }
}
