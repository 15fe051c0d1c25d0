package dev.moat.filters.attachmentpolicy;

import dev.moat.filter.Filter;
import dev.moat.filter.FilterFactory;
import dev.moat.filter.FilterMetrics;
import dev.moat.filter.FilterSettings;
import dev.moat.filter.FilterSetup;
import dev.moat.filter.InvalidSettingException;
import dev.moat.filter.Reply;
import dev.moat.filters.attachmentpolicy.AttachmentPolicyFilter.Action;
import dev.moat.filters.attachmentpolicy.AttachmentPolicyFilter.Policy;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code attachment-policy} filter type. See {@code docs/filters/attachment-policy.md}.
 *
 * <pre>
 * - type: attachment-policy
 *   action: reject
 *   max-depth: 20
 *   max-parts: 1000
 *   on-malformed: quarantine
 * </pre>
 */
public final class AttachmentPolicyFactory implements FilterFactory {

    /** Executables, scripts, installers, shortcuts and disk images: what Windows or Office run on a click. */
    static final List<String> DEFAULT_EXTENSIONS = List.of(
            "ade", "adp", "app", "appx", "appxbundle", "application", "bat", "chm", "cmd", "com", "cpl", "dll", "exe",
            "gadget", "hta", "img", "inf", "ins", "iso", "isp", "jar", "js", "jse", "lnk", "mde", "msc", "msi", "msix",
            "msp", "mst", "pif", "ps1", "psm1", "reg", "scf", "scr", "sct", "shb", "shs", "vb", "vbe", "vbs", "vhd",
            "vhdx", "ws", "wsc", "wsf", "wsh", "xll");

    static final List<String> DEFAULT_CONTENT_TYPES = List.of(
            "application/x-msdownload", "application/x-msdos-program", "application/x-dosexec",
            "application/vnd.microsoft.portable-executable", "application/x-msi", "application/x-ms-shortcut",
            "application/x-ms-application", "application/hta");

    static final int DEFAULT_MAX_DEPTH = 20;
    static final int DEFAULT_MAX_PARTS = 1000;
    /** The core's walk lists at most 10,000 entities, so a larger limit could never trip. */
    static final int MAX_MAX_PARTS = 9999;

    static final String DEFAULT_REJECT = "554 5.7.1 Attachment {name} blocked by rule {rule}";
    static final String DEFAULT_LIMIT = "554 5.7.1 Message blocked by rule {rule}";
    static final String DEFAULT_MALFORMED = "554 5.6.0 Malformed MIME structure";

    private static final Pattern CONTENT_TYPE = Pattern.compile("[a-z0-9!#$&^_.+-]+/(\\*|[a-z0-9!#$&^_.+-]+\\*?)");

    @Override
    public String type() {
        return "attachment-policy";
    }

    @Override
    public Set<String> settingKeys() {
        return Set.of("blocked-extensions", "blocked-content-types", "max-depth", "max-parts", "action", "on-malformed",
                "reject-reply", "limit-reply", "malformed-reply");
    }

    /** Without Moat's setup (no metrics): for callers that only have settings. */
    @Override
    public Filter create(FilterSettings settings) {
        return create(settings, FilterMetrics.NONE);
    }

    @Override
    public Filter create(FilterSetup setup) {
        return create(setup.settings(), setup.metrics());
    }

    private Filter create(FilterSettings settings, FilterMetrics metrics) {
        Set<String> extensions = new LinkedHashSet<>();
        for (String ext : settings.has("blocked-extensions") ? settings.strings("blocked-extensions") : DEFAULT_EXTENSIONS) {
            String e = ext.strip().toLowerCase(Locale.ROOT);
            e = e.startsWith("*.") ? e.substring(2) : e.startsWith(".") ? e.substring(1) : e;
            if (e.isEmpty() || e.chars().anyMatch(c -> c == '.' || c == '/' || c == '\\' || Character.isWhitespace(c))) {
                throw new InvalidSettingException("blocked-extensions", "'" + ext + "' is not a file name extension (write e.g. exe)");
            }
            extensions.add(e);
        }
        List<String> types = new ArrayList<>();
        for (String type : settings.has("blocked-content-types") ? settings.strings("blocked-content-types") : DEFAULT_CONTENT_TYPES) {
            String t = type.strip().toLowerCase(Locale.ROOT);
            if (!CONTENT_TYPE.matcher(t).matches()) {
                throw new InvalidSettingException("blocked-content-types", "'" + type
                        + "' is not a content type (write e.g. application/x-msdownload or application/x-ms*)");
            }
            types.add(t);
        }
        int maxDepth = settings.integer("max-depth", DEFAULT_MAX_DEPTH);
        if (maxDepth < 1 || maxDepth > 1000) {
            throw new InvalidSettingException("max-depth", "must be 1 to 1000, got " + maxDepth);
        }
        int maxParts = settings.integer("max-parts", DEFAULT_MAX_PARTS);
        if (maxParts < 1 || maxParts > MAX_MAX_PARTS) {
            throw new InvalidSettingException("max-parts", "must be 1 to " + MAX_MAX_PARTS + " (the core lists at most "
                    + (MAX_MAX_PARTS + 1) + " parts), got " + maxParts);
        }
        Action action = action(settings, "action", "reject", false);
        Action onMalformed = action(settings, "on-malformed", "accept", true);
        Policy policy = new Policy(Set.copyOf(extensions), List.copyOf(types), maxDepth, maxParts, action, onMalformed,
                template(settings, "reject-reply", DEFAULT_REJECT),
                template(settings, "limit-reply", DEFAULT_LIMIT),
                template(settings, "malformed-reply", DEFAULT_MALFORMED));
        return new AttachmentPolicyFilter(settings.filterName(), policy, metrics);
    }

    private static Action action(FilterSettings settings, String key, String defaultValue, boolean acceptAllowed) {
        String value = settings.string(key, defaultValue).strip().toLowerCase(Locale.ROOT);
        return switch (value) {
            case "reject" -> Action.REJECT;
            case "quarantine" -> Action.QUARANTINE;
            case "accept" -> {
                if (!acceptAllowed) {
                    throw new InvalidSettingException(key, "must be reject or quarantine, got 'accept'");
                }
                yield Action.ACCEPT;
            }
            default -> throw new InvalidSettingException(key, "must be " + (acceptAllowed ? "accept, " : "")
                    + "reject or quarantine, got '" + value + "'");
        };
    }

    /** A reply setting {@code "554 5.7.1 text"}, whose text may hold {name} and {rule}; 4xx or 5xx. */
    static Reply template(FilterSettings settings, String key, String defaultValue) {
        return settings.reply(key, defaultValue);
    }
}
