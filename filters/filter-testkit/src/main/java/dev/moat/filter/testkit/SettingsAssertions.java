package dev.moat.filter.testkit;

import dev.moat.filter.FilterFactory;
import dev.moat.filter.InvalidSettingException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import org.opentest4j.AssertionFailedError;

/**
 * Assertions on a filter type's settings, checked exactly as Moat checks a {@code filters:} entry
 * at start-up (through {@link FilterHarness#of(FilterFactory, Map)}).
 *
 * <pre>{@code
 * SettingsAssertions.assertDefaultsWork(new SubjectTagFactory(), Map.of());
 * SettingsAssertions.assertFullMapping(new SubjectTagFactory(), Map.of("tag", "[EXT]", "skip-authenticated", false));
 * SettingsAssertions.assertUnknownKeyRejected(new SubjectTagFactory(), Map.of());
 * InvalidSettingException e = SettingsAssertions.assertRejected(new SubjectTagFactory(), Map.of("tag", ""), "tag");
 * }</pre>
 */
public final class SettingsAssertions {

    /** A key no filter type declares. */
    static final String UNKNOWN_KEY = "no-such-setting-for-this-type";

    private SettingsAssertions() {
    }

    /** {@code minimal} (the required keys only, or none) creates a filter: every other key has a working default. */
    public static void assertDefaultsWork(FilterFactory factory, Map<String, ?> minimal) {
        create(factory, minimal, "the minimal settings " + minimal);
    }

    /**
     * {@code full} sets every key the type declares (so the example stays complete when a key is
     * added) and creates a filter.
     */
    public static void assertFullMapping(FilterFactory factory, Map<String, ?> full) {
        Set<String> missing = new TreeSet<>(factory.settingKeys());
        missing.removeAll(full.keySet());
        if (!missing.isEmpty()) {
            throw new AssertionFailedError("the full settings of '" + factory.type() + "' lack the declared keys " + missing);
        }
        create(factory, full, "the full settings");
    }

    /** A key the type does not declare fails with {@link InvalidSettingException} naming that key. */
    public static void assertUnknownKeyRejected(FilterFactory factory, Map<String, ?> minimal) {
        Map<String, Object> settings = new LinkedHashMap<>(minimal);
        settings.put(UNKNOWN_KEY, "x");
        InvalidSettingException e = assertRejected(factory, settings, UNKNOWN_KEY);
        if (!e.getMessage().contains("unknown setting")) {
            throw new AssertionFailedError("expected 'unknown setting' in: " + e.getMessage());
        }
    }

    /** {@code settings} fail with {@link InvalidSettingException} naming {@code key}; returns it for more checks. */
    public static InvalidSettingException assertRejected(FilterFactory factory, Map<String, ?> settings, String key) {
        Objects.requireNonNull(key, "key");
        try (FilterHarness h = FilterHarness.of(factory, settings)) {
            throw new AssertionFailedError("expected the setting '" + key + "' to be refused, but " + settings
                    + " created a filter");
        } catch (InvalidSettingException e) {
            if (!key.equals(e.key())) {
                throw new AssertionFailedError("expected the error to name '" + key + "' but it named '" + e.key() + "': "
                        + e.getMessage(), key, e.key());
            }
            return e;
        }
    }

    private static void create(FilterFactory factory, Map<String, ?> settings, String what) {
        try (FilterHarness h = FilterHarness.of(factory, settings)) {
            h.filter();
        } catch (InvalidSettingException e) {
            throw new AssertionFailedError(what + " of '" + factory.type() + "' were refused: " + e.getMessage(), e);
        }
    }
}
