package dev.moat.filters;

import dev.moat.filter.FilterFactory;
import dev.moat.filter.testkit.FilterContract;
import dev.moat.filters.addressrewrite.AddressRewriteFactory;
import dev.moat.filters.attachmentpolicy.AttachmentPolicyFactory;
import dev.moat.filters.connectionpolicy.ConnectionPolicyFactory;
import dev.moat.filters.headerchecks.HeaderChecksFactory;
import dev.moat.filters.recipientcheck.RecipientCheckFactory;
import dev.moat.filters.relayrules.RelayRulesFactory;
import dev.moat.filters.sizelimit.SizeLimitFactory;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;

/** Every built-in filter type passes the test kit's contract, as a third-party filter should. */
class BuiltinFilterContractTest {

    /** The doc pages live at the repository root, two levels above this module. */
    private static Path page(FilterFactory factory) {
        return Path.of("../../docs/filters", factory.type() + ".md");
    }

    @Nested
    class SizeLimit implements FilterContract {
        @Override public FilterFactory factory() { return new SizeLimitFactory(); }
        @Override public Path docPage() { return page(factory()); }
        @Override public Map<String, ?> fullSettings() {
            return Map.of("max", "25MB", "per-listener", List.of("mx=10MB"), "per-sender-domain", List.of("partner.example=40MB"),
                    "per-recipient-domain", List.of("*.lists.example.com=2MB"), "max-header-size", "256KB",
                    "max-header-fields", 500, "size-reply", "552 5.3.4 too big", "header-size-reply", "552 5.3.4 header too big",
                    "header-fields-reply", "554 5.6.0 too many fields");
        }
    }

    @Nested
    class RelayRules implements FilterContract {
        @Override public FilterFactory factory() { return new RelayRulesFactory(); }
        @Override public Path docPage() { return page(factory()); }
        @Override public Map<String, ?> minimalSettings() { return Map.of("accepted-domains", List.of("example.com")); }
        @Override public Map<String, ?> fullSettings() {
            return Map.of("accepted-domains", List.of("example.com", "*.example.com"), "trusted-networks", List.of("192.0.2.0/24"),
                    "authenticated-may-relay", true, "reply-code", 554, "reply-status", "5.7.1", "reply-text", "Relay denied");
        }
    }

    @Nested
    class RecipientCheck implements FilterContract {
        @Override public FilterFactory factory() { return new RecipientCheckFactory(); }
        @Override public Path docPage() { return page(factory()); }
        @Override public Map<String, ?> minimalSettings() {
            return Map.of("domains", List.of("example.com"), "recipients", List.of("postmaster@example.com"));
        }
    }

    @Nested
    class AddressRewrite implements FilterContract {
        @Override public FilterFactory factory() { return new AddressRewriteFactory(); }
        @Override public Path docPage() { return page(factory()); }
        @Override public Map<String, ?> minimalSettings() { return Map.of("rules", List.of("@old.example @example.com")); }
        @Override public Map<String, ?> fullSettings() {
            return Map.of("rules", List.of("@old.example @example.com scope=both"), "headers", List.of("From", "To"));
        }
    }

    @Nested
    class HeaderChecks implements FilterContract {
        @Override public FilterFactory factory() { return new HeaderChecksFactory(); }
        @Override public Path docPage() { return page(factory()); }
        @Override public Map<String, ?> minimalSettings() { return Map.of("rules", List.of("/^X-Spam-Flag: YES/ REJECT spam")); }
        @Override public Map<String, ?> fullSettings() {
            return Map.of("rules", List.of("/^X-Spam-Flag: YES/ REJECT spam"), "mime-part-headers", true, "mime-part-limit", 50,
                    "reject-reply", "550 5.7.1 refused", "tempfail-reply", "451 4.7.1 later");
        }
    }

    @Nested
    class ConnectionPolicy implements FilterContract {
        @Override public FilterFactory factory() { return new ConnectionPolicyFactory(); }
        @Override public Path docPage() { return page(factory()); }
        @Override public Map<String, ?> fullSettings() {
            return Map.of("trusted-networks", List.of("10.0.0.0/8"), "max-concurrent", 10, "max-connection-rate", "30/1m",
                    "max-message-rate", "100/1h", "max-recipient-rate", "500/1h", "helo-checks", true,
                    "own-hostnames", List.of("mx1.example.com"), "own-addresses", List.of("203.0.113.25"), "sender-checks", true);
        }
    }

    @Nested
    class AttachmentPolicy implements FilterContract {
        @Override public FilterFactory factory() { return new AttachmentPolicyFactory(); }
        @Override public Path docPage() { return page(factory()); }
        @Override public Map<String, ?> fullSettings() {
            return Map.of("action", "reject", "blocked-extensions", List.of("exe", "js"), "blocked-content-types",
                    List.of("application/x-msdownload"), "max-depth", 10, "max-parts", 500, "on-malformed", "quarantine");
        }
    }
}
