package dev.moat.examples.subjecttag;

import dev.moat.filter.FilterFactory;
import dev.moat.filter.testkit.FilterContract;
import java.nio.file.Path;
import java.util.Map;

/** The rules every filter follows, from the test kit: documented settings, defaults, close, secrets. */
class SubjectTagContractTest implements FilterContract {

    @Override
    public FilterFactory factory() {
        return new SubjectTagFactory();
    }

    @Override
    public Map<String, ?> fullSettings() {
        return Map.of("tag", "[EXT]", "skip-authenticated", false, "add-header", true);
    }

    @Override
    public Path docPage() {
        return Path.of("README.md");
    }
}
