package dev.moat.filters.headerchecks;

import dev.moat.filter.DataContext;
import dev.moat.filter.Filter;
import dev.moat.filter.FilterMetrics;
import dev.moat.filter.Header;
import dev.moat.filter.Reply;
import dev.moat.filter.Verdict;
import dev.moat.filters.headerchecks.HeaderRule.Action;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Postfix {@code header_checks} for Moat: every header field, unfolded and written as
 * {@code Name: value}, is compared with the rules in order, and the first rule that matches decides
 * for that field. {@code REJECT}, {@code DEFER}, {@code 4NN}/{@code 5NN} and {@code DISCARD} end the
 * inspection at once; {@code HOLD} (quarantine) is remembered and inspection goes on, so a later
 * reject still wins, as in Postfix; {@code WARN}/{@code INFO} log; {@code IGNORE}, {@code PREPEND}
 * and {@code REPLACE} ask the core for header edits; {@code PASS} stops the inspection. With
 * {@code mime-part-headers} the header blocks of MIME parts (and of attached messages) are checked by
 * the same rules afterwards (header edits there are not possible through the SPI and are skipped).
 * Every rule match is counted as {@code header.checks.matches{action}} (the action in lower case,
 * Moat's name: {@code reject}, {@code tempfail}, {@code quarantine}, {@code warn}, ...).
 * Immutable, so one instance serves all connections.
 */
final class HeaderChecksFilter implements Filter {

    private static final System.Logger LOG = System.getLogger(HeaderChecksFilter.class.getName());
    /** The {@code action} tag of {@code header.checks.matches}, by {@link Action#ordinal()}. */
    private static final String[] ACTION_TAGS = Arrays.stream(Action.values())
            .map(a -> a.name().toLowerCase(Locale.ROOT)).toArray(String[]::new);
    private static final Pattern STATUS_PREFIX = Pattern.compile("([245]\\.\\d{1,3}\\.\\d{1,3})(?:\\s+(.*))?", Pattern.DOTALL);

    private final String name;
    private final List<HeaderRule> rules;
    private final boolean mimePartHeaders;
    private final int maxPartHeaderBlocks;
    private final Reply rejectReply;
    private final Reply tempfailReply;
    private final FilterMetrics metrics;

    HeaderChecksFilter(String name, List<HeaderRule> rules, boolean mimePartHeaders, int maxPartHeaderBlocks,
            Reply rejectReply, Reply tempfailReply, FilterMetrics metrics) {
        this.name = name;
        this.rules = List.copyOf(rules);
        this.mimePartHeaders = mimePartHeaders;
        this.maxPartHeaderBlocks = maxPartHeaderBlocks;
        this.rejectReply = rejectReply;
        this.tempfailReply = tempfailReply;
        this.metrics = metrics;
    }

    List<HeaderRule> rules() {
        return rules;
    }

    @Override
    public Verdict data(DataContext context) throws Exception {
        Inspection inspection = new Inspection(context);
        for (Header header : context.message().headers()) {
            if (inspection.check(header.name(), header.value(), true)) {
                return inspection.result();
            }
        }
        if (mimePartHeaders) {
            try (InputStream in = new BufferedInputStream(context.message().openStream(), 64 * 1024)) {
                PartHeaderScanner.scan(in, maxPartHeaderBlocks, (field, value) -> !inspection.check(field, value, false));
            }
        }
        return inspection.result();
    }

    /** The state of one message's inspection (the filter itself holds none). */
    private final class Inspection {
        private final DataContext context;
        private Verdict verdict;
        private String quarantineReason;

        Inspection(DataContext context) {
            this.context = context;
        }

        /** Checks one field; true when the inspection is over (a final verdict or PASS). */
        boolean check(String fieldName, String value, boolean topLevel) {
            String field = fieldName + ": " + value;
            for (HeaderRule rule : rules) {
                Matcher m = rule.match(fieldName, field);
                if (m == null) {
                    continue;
                }
                return apply(rule, m, fieldName, field, topLevel);
            }
            return false;
        }

        private boolean apply(HeaderRule rule, Matcher m, String fieldName, String field, boolean topLevel) {
            metrics.count("header.checks.matches", "action", ACTION_TAGS[rule.action().ordinal()]);
            String text = rule.expand(m);
            switch (rule.action()) {
                case REJECT, TEMPFAIL -> {
                    verdict = refusal(rule, text);
                    log(Level.INFO, rule, field, verdict.toString());
                    return true;
                }
                case DISCARD -> {
                    verdict = Verdict.discard();
                    log(Level.INFO, rule, field, "discard" + (text.isEmpty() ? "" : ": " + text));
                    return true;
                }
                case QUARANTINE -> {
                    if (quarantineReason == null) {
                        quarantineReason = oneLine("header-checks " + rule.source() + (text.isEmpty() ? "" : ": " + display(text)));
                    }
                    log(Level.INFO, rule, field, "quarantine" + (text.isEmpty() ? "" : ": " + text));
                    return false;
                }
                case WARN -> {
                    log(Level.WARNING, rule, field, "warn" + (text.isEmpty() ? "" : ": " + text));
                    return false;
                }
                case INFO -> {
                    log(Level.INFO, rule, field, "info" + (text.isEmpty() ? "" : ": " + text));
                    return false;
                }
                case REMOVE, ADD, REPLACE -> {
                    edit(rule, fieldName, field, text, topLevel);
                    return false;
                }
                case PASS -> {
                    return true;
                }
                default -> {
                    return false; // DUNNO, OK: this field is done
                }
            }
        }

        private void edit(HeaderRule rule, String fieldName, String field, String text, boolean topLevel) {
            if (!topLevel) {
                log(Level.INFO, rule, field, rule.action() + " skipped: MIME part headers cannot be edited");
                return;
            }
            Header added = null;
            if (rule.action() != Action.REMOVE) {
                Matcher f = RegexpTableParser.FIELD_TEXT.matcher(text);
                try {
                    if (!f.matches()) {
                        throw new IllegalArgumentException("not a header field");
                    }
                    added = new Header(f.group(1), f.group(2).replace("\r", " ").replace("\n", " ").replace('\0', ' '));
                } catch (IllegalArgumentException e) {
                    log(Level.WARNING, rule, field, rule.action() + " skipped: '" + text + "' is not a valid header field");
                    return;
                }
            }
            if (rule.action() != Action.ADD) {
                context.headers().remove(fieldName);
            }
            if (added != null) {
                context.headers().add(added);
            }
        }

        Verdict result() {
            if (verdict != null) {
                return verdict;
            }
            return quarantineReason != null ? Verdict.quarantine(quarantineReason) : Verdict.next();
        }

        private void log(Level level, HeaderRule rule, String field, String what) {
            if (LOG.isLoggable(level)) {
                LOG.log(level, "{0} [{1}]: {2} matched {3}: {4}", name, context.session().id(), rule.source(),
                        oneLine(abbreviate(display(field), 200)), display(what));
            }
        }
    }

    /** The reply of a REJECT/DEFER/4NN/5NN rule: its code, an enhanced status at the start of its text, its text. */
    private Verdict refusal(HeaderRule rule, String text) {
        Reply base = rule.action() == Action.REJECT ? rejectReply : tempfailReply;
        int code = rule.code() != 0 ? rule.code() : base.code();
        char cls = Integer.toString(code).charAt(0);
        String status = base.enhancedStatus().charAt(0) == cls ? base.enhancedStatus() : cls + ".7.1";
        String replyText = text;
        Matcher m = STATUS_PREFIX.matcher(text);
        if (m.matches() && m.group(1).charAt(0) == cls) {
            status = m.group(1);
            replyText = m.group(2) == null ? "" : m.group(2);
        }
        replyText = printable(replyText.strip());
        if (replyText.isEmpty()) {
            replyText = base.text();
        }
        return code >= 500 ? Verdict.reject(code, status, replyText) : Verdict.tempfail(code, status, replyText);
    }

    /**
     * A byte string (one char per byte, as fields and rules are read) as readable text for logs and
     * quarantine reasons: decoded as UTF-8 when it is valid UTF-8, else as it is.
     */
    static String display(String bytes) {
        for (int i = 0; i < bytes.length(); i++) {
            if (bytes.charAt(i) >= 0x80) {
                try {
                    return StandardCharsets.UTF_8.newDecoder()
                            .decode(ByteBuffer.wrap(bytes.getBytes(StandardCharsets.ISO_8859_1))).toString();
                } catch (CharacterCodingException e) {
                    return bytes;
                }
            }
        }
        return bytes;
    }

    /** Printable ASCII only (anything else from a header becomes '?'), at most 400 characters. */
    static String printable(String s) {
        StringBuilder out = new StringBuilder(Math.min(s.length(), 400));
        for (int i = 0; i < s.length() && out.length() < 400; i++) {
            char c = s.charAt(i);
            out.append(c >= 0x20 && c <= 0x7E ? c : '?');
        }
        return out.toString();
    }

    private static String oneLine(String s) {
        String line = s.replace('\r', ' ').replace('\n', ' ');
        return line.isBlank() ? "header-checks" : line;
    }

    private static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 3) + "...";
    }
}
