package dev.moat.examples.subjecttag;

import dev.moat.filter.FilterFactory;
import dev.moat.filter.FilterPlugin;
import java.util.List;

/** The plugin's entry point, listed in META-INF/services/dev.moat.filter.FilterPlugin. */
public final class SubjectTagPlugin implements FilterPlugin {

    @Override
    public List<FilterFactory> factories() {
        return List.of(new SubjectTagFactory());
    }
}
