package dev.moat.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class FilterApiTest {

    @Test
    void theSameMajorAndAnOlderOrEqualMinorAreCompatible() {
        assertEquals("1.0", FilterApi.version());
        assertNull(FilterApi.incompatibility("1.0"));
        assertNull(FilterApi.incompatibility(" 1.0.3 "));
    }

    @Test
    void anotherMajorOrANewerMinorIsRefusedWithBothVersions() {
        assertEquals("it was built for filter API 2.0, but this Moat provides filter API 1.0 (major versions differ:"
                + " rebuild the plugin against moat-filter-api 1.x)", FilterApi.incompatibility("2.0"));
        assertEquals("it was built for filter API 0.9, but this Moat provides filter API 1.0 (major versions differ:"
                + " rebuild the plugin against moat-filter-api 1.x)", FilterApi.incompatibility("0.9"));
        assertEquals("it was built for filter API 1.1, newer than this Moat's 1.0 (upgrade Moat, or build the plugin"
                + " against filter API 1.0)", FilterApi.incompatibility("1.1"));
    }

    @Test
    void somethingThatIsNotAVersionIsNamed() {
        assertEquals("'one' is not a filter API version (write major.minor, e.g. 1.0)", FilterApi.incompatibility("one"));
        assertEquals("'null' is not a filter API version (write major.minor, e.g. 1.0)", FilterApi.incompatibility(null));
    }

    @Test
    void theApiJarRecordsItsVersionInItsManifest() throws Exception {
        String recorded = System.getProperty("moat.filter-api.version");
        assertEquals(FilterApi.version(), recorded, "the pom property moat.filter-api.version and FilterApi must agree");
    }
}
