package dev.moat.filter.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.filter.DataContext;
import dev.moat.filter.Filter;
import dev.moat.filter.FilterFactory;
import dev.moat.filter.FilterSetup;
import dev.moat.filter.Verdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.opentest4j.AssertionFailedError;

/** The contract catches each kind of broken filter it promises to catch. */
class FilterContractTest {

    @TempDir
    Path dir;

    /** A filter type whose faults are switched on one by one. */
    private static FilterFactory factory(String fault) {
        return new FilterFactory() {
            @Override public String type() { return "faulty"; }
            @Override public Set<String> settingKeys() { return Set.of("level", "password-ish"); }
            @Override public Set<String> secretKeys() { return fault.equals("undeclared-secret") ? Set.of("other") : Set.of("password-ish"); }

            @Override
            public Filter create(FilterSetup setup) {
                String secret = setup.settings().string("password-ish", "");
                AtomicBoolean closed = new AtomicBoolean();
                return new Filter() {
                    @Override
                    public Verdict data(DataContext context) {
                        if (fault.equals("throws")) {
                            throw new IllegalStateException("boom");
                        }
                        if (fault.equals("logs-secret")) {
                            setup.logger().log(System.Logger.Level.INFO, "using {0}", secret);
                        }
                        return Verdict.next();
                    }

                    @Override
                    public void close() {
                        if (fault.equals("close-twice") && !closed.compareAndSet(false, true)) {
                            throw new IllegalStateException("closed already");
                        }
                    }

                    @Override
                    public String toString() {
                        return fault.equals("shows-secret") ? "faulty[" + secret + "]" : "faulty";
                    }
                };
            }
        };
    }

    private FilterContract contract(String fault, String doc) throws Exception {
        Path page = dir.resolve("faulty.md");
        Files.writeString(page, doc);
        return new FilterContract() {
            @Override public FilterFactory factory() { return FilterContractTest.factory(fault); }
            @Override public Map<String, ?> fullSettings() { return Map.of("level", 1, "password-ish", "s3cret-value"); }
            @Override public Path docPage() { return page; }
        };
    }

    private static final String GOOD_DOC = "| `level` | ... |\n| `password-ish` | ... |\n";

    @Test
    void aSoundFilterPassesEveryRule() throws Exception {
        FilterContract c = contract("none", GOOD_DOC);
        c.docPageExistsAndNamesEverySetting();
        c.minimalAndFullSettingsWorkAndUnknownKeysAreRefused();
        c.aMinimalEnvelopeGoesThroughEveryStageWithoutException();
        c.closeIsIdempotent();
        c.secretsAreMasked();
    }

    @Test
    void eachFaultIsCaught() throws Exception {
        AssertionFailedError doc = assertThrows(AssertionFailedError.class,
                () -> contract("none", "| `level` |").docPageExistsAndNamesEverySetting());
        assertTrue(doc.getMessage().endsWith("does not name the settings [password-ish] (write them as `key`)"), doc.getMessage());
        FilterContract missing = contract("none", GOOD_DOC);
        Files.delete(missing.docPage());
        assertThrows(AssertionFailedError.class, missing::docPageExistsAndNamesEverySetting);

        assertThrows(IllegalStateException.class, () -> contract("throws", GOOD_DOC).aMinimalEnvelopeGoesThroughEveryStageWithoutException());
        assertThrows(IllegalStateException.class, () -> contract("close-twice", GOOD_DOC).closeIsIdempotent());
        assertEquals("the filter's toString() shows a secret: faulty[s3cret-value]",
                assertThrows(AssertionFailedError.class, () -> contract("shows-secret", GOOD_DOC).secretsAreMasked()).getMessage());
        assertEquals("the filter logged a secret: INFO using s3cret-value",
                assertThrows(AssertionFailedError.class, () -> contract("logs-secret", GOOD_DOC).secretsAreMasked()).getMessage());
        assertEquals("secretKeys() names keys that settingKeys() does not declare: [other]",
                assertThrows(AssertionFailedError.class, () -> contract("undeclared-secret", GOOD_DOC).secretsAreMasked()).getMessage());
    }
}
