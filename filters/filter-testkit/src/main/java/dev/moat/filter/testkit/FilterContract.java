package dev.moat.filter.testkit;

import dev.moat.filter.Filter;
import dev.moat.filter.FilterFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

/**
 * The rules every filter type should follow, as JUnit 5 tests a filter's test class gets by
 * implementing this interface:
 *
 * <pre>{@code
 * class SubjectTagContractTest implements FilterContract {
 *     public FilterFactory factory() { return new SubjectTagFactory(); }
 *     public Map<String, ?> fullSettings() { return Map.of("tag", "[EXT]", "skip-authenticated", false); }
 *     public Path docPage() { return Path.of("README.md"); }
 * }
 * }</pre>
 *
 * <ul>
 *   <li>the documentation page exists and names every setting (as {@code `key`});</li>
 *   <li>the minimal settings create a filter (every other key has a default), so do the full
 *       settings, and an unknown key is refused;</li>
 *   <li>a minimal envelope goes through every stage without an exception;</li>
 *   <li>{@code close()} may be called twice;</li>
 *   <li>every declared secret is a setting, has a value in {@link #fullSettings()}, and that value
 *       shows up neither in the filter's {@code toString()} nor in anything it logs.</li>
 * </ul>
 */
public interface FilterContract {

    /** The factory under test. */
    FilterFactory factory();

    /** The fewest settings that make a working filter; none by default. */
    default Map<String, ?> minimalSettings() {
        return Map.of();
    }

    /**
     * A value for as many settings as can be set together, secrets included (their masking is
     * checked with these values); the minimal settings by default. To check that an example sets
     * every declared key, use {@link SettingsAssertions#assertFullMapping}.
     */
    default Map<String, ?> fullSettings() {
        return minimalSettings();
    }

    /**
     * The filter's documentation page, relative to the test's working directory (the module);
     * {@code docs/filters/<type>.md} by default.
     */
    default Path docPage() {
        return Path.of("docs", "filters", factory().type() + ".md");
    }

    @Test
    default void docPageExistsAndNamesEverySetting() throws IOException {
        Path page = docPage();
        if (!Files.isRegularFile(page)) {
            throw new AssertionFailedError("no documentation page for '" + factory().type() + "' at "
                    + page.toAbsolutePath().normalize() + " (override docPage())");
        }
        String text = Files.readString(page);
        Set<String> missing = new TreeSet<>();
        for (String key : factory().settingKeys()) {
            if (!text.contains("`" + key + "`")) {
                missing.add(key);
            }
        }
        if (!missing.isEmpty()) {
            throw new AssertionFailedError(page + " does not name the settings " + missing + " (write them as `key`)");
        }
    }

    @Test
    default void minimalAndFullSettingsWorkAndUnknownKeysAreRefused() {
        SettingsAssertions.assertDefaultsWork(factory(), minimalSettings());
        SettingsAssertions.assertDefaultsWork(factory(), fullSettings());
        SettingsAssertions.assertUnknownKeyRejected(factory(), minimalSettings());
    }

    @Test
    default void aMinimalEnvelopeGoesThroughEveryStageWithoutException() {
        try (FilterHarness h = FilterHarness.of(factory(), minimalSettings())) {
            runMinimalTransaction(h);
        }
    }

    @Test
    default void closeIsIdempotent() throws Exception {
        try (FilterHarness h = FilterHarness.of(factory(), minimalSettings())) {
            Filter filter = h.filter();
            filter.close();
            filter.close();
        }
    }

    @Test
    default void secretsAreMasked() {
        Set<String> secrets = factory().secretKeys();
        Set<String> undeclared = new TreeSet<>(secrets);
        undeclared.removeAll(factory().settingKeys());
        if (!undeclared.isEmpty()) {
            throw new AssertionFailedError("secretKeys() names keys that settingKeys() does not declare: " + undeclared);
        }
        List<String> values = new ArrayList<>();
        for (String key : secrets) {
            Object value = fullSettings().get(key);
            if (value == null || value.toString().isEmpty()) {
                throw new AssertionFailedError("fullSettings() must give the secret '" + key + "' a value to check masking");
            }
            values.add(value.toString());
        }
        try (FilterHarness h = FilterHarness.of(factory(), fullSettings())) {
            String shown = String.valueOf(h.filter());
            runMinimalTransaction(h);
            for (String value : values) {
                if (shown.contains(value)) {
                    throw new AssertionFailedError("the filter's toString() shows a secret: " + shown);
                }
                for (String line : h.logLines()) {
                    if (line.contains(value)) {
                        throw new AssertionFailedError("the filter logged a secret: " + line);
                    }
                }
            }
        }
    }

    /** CONNECT, EHLO, MAIL, RCPT, DATA with a tiny message, disconnect: only the stages' own refusals stop it. */
    private static void runMinimalTransaction(FilterHarness h) {
        h.connect();
        h.helo("client.example");
        h.send(TestEnvelope.of("sender@example.org", "rcpt@example.com"),
                TestMessage.builder().from("sender@example.org").to("rcpt@example.com").subject("contract").body("hi").build());
        h.disconnect();
    }
}
