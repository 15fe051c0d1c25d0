package dev.moat.bench.chain;

import dev.moat.core.chain.FilterInstance;
import dev.moat.filter.Filter;
import dev.moat.filter.FilterFactory;
import dev.moat.filter.testkit.FilterHarness;
import dev.moat.filters.addressrewrite.AddressRewriteFactory;
import dev.moat.filters.attachmentpolicy.AttachmentPolicyFactory;
import dev.moat.filters.connectionpolicy.ConnectionPolicyFactory;
import dev.moat.filters.headerchecks.HeaderChecksFactory;
import dev.moat.filters.recipientcheck.RecipientCheckFactory;
import dev.moat.filters.relayrules.RelayRulesFactory;
import dev.moat.filters.sizelimit.SizeLimitFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The default perimeter chain: the commented example of {@code distribution/src/conf/moat.yaml}, in its
 * order and with its settings, each filter built by its real {@link FilterFactory} from a settings map
 * exactly as {@code FilterHarness.of(factory, settings)} (and so the gateway) builds a {@code filters:}
 * entry. Where the example points at files, they are written here: a recipients file of 1,000 addresses
 * and a Postfix {@code header_checks} table of 20 rules. address-rewrite has 5 rules instead of the
 * example's one (three of them apply to headers too, so the DATA stage has work to do).
 */
final class DefaultChain {

    /** The domain we receive mail for (relay-rules, recipient-check). */
    static final String OUR_DOMAIN = "example.com";
    /** The envelope recipient: one of the 1,000 addresses of the recipients file. */
    static final String RECIPIENT = "olivia.martin@example.com";
    /** The envelope sender, a foreign domain. */
    static final String SENDER = "alice.sender@sender.example";
    /** The client's EHLO name. */
    static final String HELO = "mail-out.sender.example";

    private static final String[] FIRST = {"james", "mary", "robert", "patricia", "john", "jennifer", "michael",
        "linda", "david", "elizabeth", "william", "barbara", "richard", "susan", "joseph", "jessica", "thomas",
        "sarah", "charles", "karen", "christopher", "lisa", "daniel", "nancy", "matthew", "betty", "anthony",
        "margaret", "mark", "sandra", "donald", "ashley", "steven", "kimberly", "paul", "emily", "andrew",
        "donna", "olivia", "noah"};
    private static final String[] LAST = {"smith", "johnson", "williams", "brown", "jones", "garcia", "miller",
        "davis", "rodriguez", "martinez", "hernandez", "lopez", "gonzalez", "wilson", "anderson", "thomas",
        "taylor", "moore", "jackson", "martin", "lee", "perez", "thompson", "white", "harris"};

    /** A Postfix regexp: table of 20 rules, the usual perimeter suspects; the benchmark message matches none. */
    static final String HEADER_CHECKS = String.join("\n",
            "# header_checks: a typical perimeter table in Postfix regexp: syntax (20 rules)",
            "/^Subject:.*\\b(viagra|cialis|levitra|pharmacy)\\b/                 REJECT no pills here",
            "/^Subject:.*\\b(lottery|jackpot|sweepstakes?)\\b.*\\bwinner/         554 5.7.9 no lottery",
            "/^Subject:.*\\$\\$\\$/                                               REJECT too much money",
            "/^Subject: =\\?(big5|gb2312|ks_c_5601-1987|koi8-r)\\?/              REJECT unsupported character set",
            "/^Subject: \\[EXT\\] (.*)$/                                          REPLACE Subject: $1",
            "/^Content-(Type|Disposition):.*name\\s*=\\s*\"?[^\"]*\\.(exe|scr|pif|bat|cmd|com|vbs|js|jar|hta)\"?\\s*(;|$)/",
            "        REJECT executable attachment .$2",
            "/^Content-Type:\\s*message\\/partial/                                REJECT partial messages are not accepted",
            "/^X-Spam-Flag:\\s*YES/                                              HOLD flagged by the upstream scanner",
            "/^X-Spam-Status:\\s*Yes,/                                           HOLD flagged by the upstream scanner",
            "/^X-Mailer:.*\\b(Mass|Bulk|Group) (Mail|Sender)/                    REJECT bulk mailer",
            "/^X-Mailer:.*(Advanced Direct Remailer|Extractor|Diffondi)/        REJECT bulk mailer",
            "/^From:.*\\.(top|xyz|click|loan|work|gq|tk)>?\\s*$/                  REJECT sender domain not accepted",
            "/^Reply-To:.*\\.(top|xyz|click|loan|work|gq|tk)>?\\s*$/              REJECT reply domain not accepted",
            "/^To:\\s*undisclosed-recipients:;?\\s*$/                            WARN undisclosed recipients",
            "/^Message-ID:\\s*$/                                                 REJECT empty Message-ID",
            "/^Message-ID:.*@(localhost|localhost\\.localdomain)>/              REJECT bad Message-ID",
            "/^Date:.* (19[0-9][0-9]|20[01][0-9]) /                             REJECT message dated in the past",
            "/^X-Originating-IP:/                                               IGNORE",
            "if /^Received:/",
            "/^Received: from +unknown/                                         WARN unknown sender host",
            "/\\(may be forged\\)/                                                WARN forged host name",
            "endif",
            "");

    private DefaultChain() {
    }

    /** The chain's filters in configuration order; the files it needs are written into {@code workDir}. */
    static List<FilterInstance> build(Path workDir) throws IOException {
        Path recipients = workDir.resolve("recipients.txt");
        Files.write(recipients, recipientsFile().getBytes(StandardCharsets.UTF_8));
        Path headerChecks = workDir.resolve("header_checks");
        Files.write(headerChecks, HEADER_CHECKS.getBytes(StandardCharsets.ISO_8859_1));

        List<FilterInstance> chain = new ArrayList<>();
        add(chain, new ConnectionPolicyFactory(), settings(
                "name", "connection-policy",
                "timeout", "30s",
                "trusted-networks", List.of("10.0.0.0/8"),
                "max-concurrent", 10,
                "max-connection-rate", "30/1m",
                "max-message-rate", "100/1h",
                "max-recipient-rate", "500/1h",
                "helo-checks", true,
                "own-hostnames", List.of("mx.example.com"),
                "sender-checks", true));
        add(chain, new AddressRewriteFactory(), settings(
                "rules", List.of(
                        "@old-name.example @example.com scope=both",
                        "@corp.example.net @example.com scope=both",
                        "j.doe@example.com john.doe@example.com",
                        "postmaster@mail.example.com postmaster@example.com",
                        "/([a-z]+)\\.([a-z]+)@legacy\\.example/ $1.$2@example.com scope=both applies-to=sender")));
        add(chain, new RecipientCheckFactory(), settings(
                "domains", List.of(OUR_DOMAIN),
                "recipients-file", recipients.toString(),
                "max-unknown-recipients", 10));
        add(chain, new RelayRulesFactory(), settings(
                "accepted-domains", List.of(OUR_DOMAIN),
                "trusted-networks", List.of("10.0.0.0/8")));
        add(chain, new SizeLimitFactory(), settings(
                "max", "25MB",
                "max-header-fields", 500));
        add(chain, new HeaderChecksFactory(), settings(
                "rules-file", headerChecks.toString()));
        add(chain, new AttachmentPolicyFactory(), settings(
                "action", "reject",
                "on-malformed", "quarantine"));
        return chain;
    }

    /** 1,000 addresses {@code first.last@example.com}, one per line, with a comment and a Postfix-map column. */
    static String recipientsFile() {
        StringBuilder out = new StringBuilder("# exported from the directory every night\n");
        int n = 0;
        for (String last : LAST) {
            for (String first : FIRST) {
                out.append(first).append('.').append(last).append('@').append(OUR_DOMAIN);
                out.append(n++ % 2 == 0 ? "\n" : "      OK\n");
            }
        }
        if (n != 1000 || !out.toString().contains("\n" + RECIPIENT)) {
            throw new AssertionError("the recipients file should hold 1,000 entries including " + RECIPIENT);
        }
        return out.toString();
    }

    private static void add(List<FilterInstance> chain, FilterFactory factory, Map<String, Object> settings) {
        // Built exactly as the harness (and the gateway) builds a filters: entry: unknown keys refused,
        // values parsed by the gateway's ConfiguredFilterSettings. The throw-away harness never spooled
        // anything and is not closed: closing it would close the filter the chain now owns.
        Filter filter = FilterHarness.of(factory, settings).filter();
        Object name = settings.getOrDefault("name", factory.type());
        chain.add(FilterInstance.of(name.toString(), factory.type(), Duration.ofSeconds(30), filter));
    }

    private static Map<String, Object> settings(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}
