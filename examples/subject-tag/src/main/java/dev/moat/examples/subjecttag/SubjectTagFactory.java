package dev.moat.examples.subjecttag;

import dev.moat.filter.Filter;
import dev.moat.filter.FilterFactory;
import dev.moat.filter.FilterSettings;
import dev.moat.filter.FilterSetup;
import dev.moat.filter.InvalidSettingException;
import java.util.Set;

/**
 * The {@code subject-tag} filter type: its name, its settings, and how an instance is made.
 *
 * <pre>
 * filters:
 *   - type: subject-tag
 *     tag: "[EXTERNAL]"
 *     skip-authenticated: true
 *     add-header: false
 * </pre>
 */
public final class SubjectTagFactory implements FilterFactory {

    static final String TAG = "tag";
    static final String SKIP_AUTHENTICATED = "skip-authenticated";
    static final String ADD_HEADER = "add-header";

    @Override
    public String type() {
        return "subject-tag";
    }

    @Override
    public Set<String> settingKeys() {
        return Set.of(TAG, SKIP_AUTHENTICATED, ADD_HEADER);
    }

    @Override
    public Filter create(FilterSetup setup) {
        FilterSettings settings = setup.settings();
        String tag = settings.string(TAG, "[EXTERNAL]").strip();
        if (tag.isEmpty() || tag.length() > 64 || !tag.chars().allMatch(c -> c >= 0x20 && c < 0x7F)) {
            throw new InvalidSettingException(TAG, "must be 1 to 64 printable ASCII characters, got '" + tag + "'");
        }
        boolean skipAuthenticated = settings.bool(SKIP_AUTHENTICATED, true);
        boolean addHeader = settings.bool(ADD_HEADER, false);
        return new SubjectTagFilter(tag, skipAuthenticated, addHeader, setup.metrics(), setup.logger());
    }
}
