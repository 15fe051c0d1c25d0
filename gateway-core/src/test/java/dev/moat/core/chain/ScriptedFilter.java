package dev.moat.core.chain;

import dev.moat.filter.ConnectContext;
import dev.moat.filter.DataContext;
import dev.moat.filter.Filter;
import dev.moat.filter.FilterFactory;
import dev.moat.filter.FilterSettings;
import dev.moat.filter.HeloContext;
import dev.moat.filter.MailContext;
import dev.moat.filter.RcptContext;
import dev.moat.filter.Verdict;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The test filter type {@code scripted}: its settings say which stage answers which verdict.
 *
 * <pre>
 * filters:
 *   - {name: s, type: scripted, rcpt-to: "tempfail 450 4.2.0 later", rcpt-match: slow@y.test}
 * </pre>
 *
 * Stage keys ({@code connect}, {@code helo}, {@code mail-from}, {@code rcpt-to}, {@code data}) take a
 * verdict spec: {@code next}, {@code accept}, {@code discard}, {@code reject}, {@code tempfail},
 * {@code reject <text>}, {@code reject <code> <enhanced> <text>}, {@code tempfail <code> <enhanced> <text>},
 * {@code quarantine <reason>}; a {@code !} after the kind adds {@code andDisconnect()}. Other keys:
 * {@code mail-match}, {@code rcpt-match}, {@code helo-match} (the stage's verdict only for that exact
 * sender / recipient / HELO name), {@code sleep} with {@code sleep-at} and optional {@code sleep-rcpt}
 * (block that long at that stage), {@code throw-at} (throw there), {@code null-at} (return null there).
 */
final class ScriptedFilter implements Filter {

    static final String TYPE = "scripted";
    static final Set<String> KEYS = Set.of("connect", "helo", "mail-from", "rcpt-to", "data", "mail-match",
            "rcpt-match", "helo-match", "sleep", "sleep-at", "sleep-rcpt", "throw-at", "null-at");

    static FilterFactory factory() {
        return ChainTestSupport.type(TYPE, KEYS, ScriptedFilter::new);
    }

    private final Map<Stage, Verdict> verdicts = new EnumMap<>(Stage.class);
    private final Optional<String> mailMatch;
    private final Optional<String> rcptMatch;
    private final Optional<String> heloMatch;
    private final Duration sleep;
    private final Optional<Stage> sleepAt;
    private final Optional<String> sleepRcpt;
    private final Optional<Stage> throwAt;
    private final Optional<Stage> nullAt;

    ScriptedFilter(FilterSettings settings) {
        for (Stage stage : Stage.values()) {
            settings.string(key(stage)).ifPresent(spec -> verdicts.put(stage, parse(spec)));
        }
        mailMatch = settings.string("mail-match");
        rcptMatch = settings.string("rcpt-match");
        heloMatch = settings.string("helo-match");
        sleep = settings.duration("sleep", Duration.ZERO);
        sleepAt = settings.string("sleep-at").map(ScriptedFilter::stage);
        sleepRcpt = settings.string("sleep-rcpt");
        throwAt = settings.string("throw-at").map(ScriptedFilter::stage);
        nullAt = settings.string("null-at").map(ScriptedFilter::stage);
    }

    private static String key(Stage stage) {
        return switch (stage) {
            case CONNECT -> "connect";
            case HELO -> "helo";
            case MAIL_FROM -> "mail-from";
            case RCPT_TO -> "rcpt-to";
            case DATA -> "data";
            case DISCONNECT -> "disconnect";
        };
    }

    private static Stage stage(String label) {
        return Arrays.stream(Stage.values()).filter(s -> s.label().equals(label) || key(s).equals(label)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no stage " + label));
    }

    /** Parses a verdict spec; see the class comment. */
    static Verdict parse(String spec) {
        String[] words = spec.trim().split(" ", 2);
        String kind = words[0];
        boolean disconnect = kind.endsWith("!");
        if (disconnect) {
            kind = kind.substring(0, kind.length() - 1);
        }
        String rest = words.length > 1 ? words[1] : "";
        Verdict v = switch (kind) {
            case "next" -> Verdict.next();
            case "accept" -> Verdict.accept();
            case "discard" -> Verdict.discard();
            case "quarantine" -> Verdict.quarantine(rest.isEmpty() ? "quarantined by test" : rest);
            case "reject", "tempfail" -> {
                boolean reject = kind.equals("reject");
                if (rest.matches("\\d{3} \\d\\.\\d{1,3}\\.\\d{1,3}( .*)?")) {
                    String[] r = rest.split(" ", 3);
                    String text = r.length > 2 ? r[2] : "";
                    int code = Integer.parseInt(r[0]);
                    yield reject ? Verdict.reject(code, r[1], text) : Verdict.tempfail(code, r[1], text);
                }
                String text = rest.isEmpty() ? (reject ? "rejected by test" : "try again later") : rest;
                yield reject ? Verdict.reject(text) : Verdict.tempfail(text);
            }
            default -> throw new IllegalArgumentException("bad verdict spec: " + spec);
        };
        return disconnect ? v.andDisconnect() : v;
    }

    private Verdict decide(Stage stage, boolean matches, Optional<String> recipient) throws Exception {
        if (sleepAt.equals(Optional.of(stage)) && (sleepRcpt.isEmpty() || sleepRcpt.equals(recipient))) {
            Thread.sleep(sleep.toMillis());
        }
        if (throwAt.equals(Optional.of(stage))) {
            throw new IllegalStateException("scripted failure at " + stage.label());
        }
        if (nullAt.equals(Optional.of(stage))) {
            return null;
        }
        return matches ? verdicts.getOrDefault(stage, Verdict.next()) : Verdict.next();
    }

    @Override
    public Verdict connect(ConnectContext context) throws Exception {
        return decide(Stage.CONNECT, true, Optional.empty());
    }

    @Override
    public Verdict helo(HeloContext context) throws Exception {
        return decide(Stage.HELO, heloMatch.map(context.heloName()::equals).orElse(true), Optional.empty());
    }

    @Override
    public Verdict mailFrom(MailContext context) throws Exception {
        String sender = context.sender().map(Object::toString).orElse("");
        return decide(Stage.MAIL_FROM, mailMatch.map(sender::equals).orElse(true), Optional.empty());
    }

    @Override
    public Verdict rcptTo(RcptContext context) throws Exception {
        String rcpt = context.recipient().toString();
        return decide(Stage.RCPT_TO, rcptMatch.map(rcpt::equals).orElse(true), Optional.of(rcpt));
    }

    @Override
    public Verdict data(DataContext context) throws Exception {
        return decide(Stage.DATA, true, Optional.empty());
    }
}
