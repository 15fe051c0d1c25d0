package dev.moat.filters.attachmentpolicy;

import dev.moat.filter.DataContext;
import dev.moat.filter.Filter;
import dev.moat.filter.FilterMetrics;
import dev.moat.filter.MimePart;
import dev.moat.filter.Reply;
import dev.moat.filter.Verdict;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Blocks messages by the file names and declared content types of their MIME parts, and by the shape
 * of their MIME tree (depth, number of parts), using the core's streaming walk
 * ({@code MessageView.parts()}, which decodes RFC 2231 and RFC 2047 file names). Each message it
 * rejects or quarantines is counted as {@code attachments.blocked{reason}} ({@code extension},
 * {@code content-type}, {@code depth}, {@code parts}, {@code malformed}); a malformed message let
 * through by {@code on-malformed: accept} is not. Immutable, so one instance serves all connections.
 */
final class AttachmentPolicyFilter implements Filter {

    private static final System.Logger LOG = System.getLogger(AttachmentPolicyFilter.class.getName());

    /** What to do with a blocked or malformed message. */
    enum Action { ACCEPT, REJECT, QUARANTINE }

    /** Everything configured, validated by the factory. */
    record Policy(Set<String> blockedExtensions, List<String> blockedContentTypes, int maxDepth, int maxParts,
            Action action, Action onMalformed, Reply rejectTemplate, Reply limitTemplate, Reply malformedReply) {
    }

    private final String name;
    private final Policy policy;
    private final FilterMetrics metrics;

    AttachmentPolicyFilter(String name, Policy policy, FilterMetrics metrics) {
        this.name = name;
        this.policy = policy;
        this.metrics = metrics;
    }

    @Override
    public Verdict data(DataContext context) throws Exception {
        List<MimePart> parts;
        try {
            parts = context.message().parts();
        } catch (IOException | RuntimeException e) {
            return malformed(context, "the MIME walk failed: " + e);
        }
        if (parts.isEmpty()) {
            return malformed(context, "the MIME walk found no entity");
        }
        if (parts.size() > policy.maxParts()) {
            return blocked(context, "parts", null, "max-parts " + policy.maxParts());
        }
        String malformation = null;
        for (int i = 0; i < parts.size(); i++) {
            MimePart part = parts.get(i);
            if (part.depth() > policy.maxDepth()) {
                return blocked(context, "depth", null, "max-depth " + policy.maxDepth());
            }
            Optional<String> filename = part.filename();
            if (filename.isPresent()) {
                String extension = extension(filename.get());
                if (!extension.isEmpty() && policy.blockedExtensions().contains(extension)) {
                    return blocked(context, "extension", filename.get(), "extension ." + extension);
                }
            }
            String type = part.contentType();
            for (String blocked : policy.blockedContentTypes()) {
                if (typeMatches(blocked, type)) {
                    return blocked(context, "content-type", filename.orElse(type), "content-type " + blocked);
                }
            }
            if (malformation == null && part.isMultipart()
                    && (i + 1 >= parts.size() || parts.get(i + 1).depth() != part.depth() + 1)) {
                malformation = "a " + type + " entity at depth " + part.depth() + " has no parts (boundary missing)";
            }
        }
        return malformation == null ? Verdict.next() : malformed(context, malformation);
    }

    /**
     * The last extension of a file name, lower case, or "" if it has none. Path prefixes are ignored,
     * and so are trailing dots, spaces and control characters, which Windows drops when it saves a file
     * ({@code invoice.pdf.exe.} runs as an .exe).
     */
    static String extension(String filename) {
        String name = filename;
        int separator = Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\'));
        name = name.substring(separator + 1);
        int end = name.length();
        while (end > 0) {
            char c = name.charAt(end - 1);
            if (c == '.' || Character.isWhitespace(c) || Character.isISOControl(c) || Character.isSpaceChar(c)) {
                end--;
            } else {
                break;
            }
        }
        name = name.substring(0, end);
        int dot = name.lastIndexOf('.');
        if (dot < 0) {
            return "";
        }
        return name.substring(dot + 1).strip().toLowerCase(Locale.ROOT);
    }

    /** {@code application/x-msdownload} exactly, {@code application/*}, or a prefix ending in {@code *}. */
    static boolean typeMatches(String pattern, String type) {
        if (pattern.endsWith("*")) {
            return type.startsWith(pattern.substring(0, pattern.length() - 1));
        }
        return type.equals(pattern);
    }

    /** @param reason the {@code reason} tag of {@code attachments.blocked} */
    private Verdict blocked(DataContext context, String reason, String filename, String rule) {
        metrics.count("attachments.blocked", "reason", reason);
        String shown = filename == null ? "" : filename;
        log(context, "blocked " + (filename == null ? "message" : "attachment '" + oneLine(shown) + "'") + " by rule " + rule
                + " (" + policy.action().name().toLowerCase(Locale.ROOT) + ")");
        if (policy.action() == Action.QUARANTINE) {
            return Verdict.quarantine(oneLine("attachment-policy: " + (filename == null ? "message" : "attachment "
                    + shown) + " blocked by rule " + rule));
        }
        Reply template = filename == null ? policy.limitTemplate() : policy.rejectTemplate();
        return reply(expand(template, printableName(shown), rule));
    }

    private Verdict malformed(DataContext context, String why) {
        log(context, "malformed MIME: " + why + " (" + policy.onMalformed().name().toLowerCase(Locale.ROOT) + ")");
        if (policy.onMalformed() != Action.ACCEPT) {
            metrics.count("attachments.blocked", "reason", "malformed");
        }
        return switch (policy.onMalformed()) {
            case ACCEPT -> Verdict.next();
            case QUARANTINE -> Verdict.quarantine(oneLine("attachment-policy: malformed MIME: " + why));
            case REJECT -> reply(policy.malformedReply());
        };
    }

    private void log(DataContext context, String what) {
        LOG.log(Level.INFO, "{0} [{1}]: {2}", name, context.session().id(), what);
    }

    /** The template's text with {name} and {rule} filled in (both printable ASCII), at most 400 characters. */
    static Reply expand(Reply template, String name, String rule) {
        String text = template.text().replace("{name}", name).replace("{rule}", printableName(rule));
        if (text.length() > 400) {
            text = text.substring(0, 397) + "...";
        }
        return new Reply(template.code(), template.enhancedStatus(), text);
    }

    /** The name as it may appear in a reply: printable ASCII ('?' for anything else), at most 100 characters. */
    static String printableName(String name) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < name.length() && out.length() < 100; i++) {
            char c = name.charAt(i);
            out.append(c >= 0x20 && c <= 0x7E ? c : '?');
        }
        return out.toString();
    }

    private static String oneLine(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length() && out.length() < 500; i++) {
            char c = s.charAt(i);
            out.append(Character.isISOControl(c) ? ' ' : c);
        }
        String line = out.toString().strip();
        return line.isEmpty() ? "attachment-policy" : line;
    }

    private static Verdict reply(Reply reply) {
        return Verdict.refuse(reply);
    }
}
