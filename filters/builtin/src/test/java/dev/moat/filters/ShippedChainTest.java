package dev.moat.filters;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.core.testing.RawSmtp;
import dev.moat.core.testing.TestGateway;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The perimeter chain shipped commented out in conf/moat.yaml must work when an operator uncomments
 * it: every type and setting is valid, and the chain accepts mail for its domain and refuses relaying.
 */
class ShippedChainTest {

    @TempDir
    Path dir;

    @Test
    void theCommentedChainOfTheSampleConfigurationStartsAndFilters() throws Exception {
        Path recipients = Files.writeString(dir.resolve("recipients.txt"), "bob@example.com\n");
        Path headerChecks = Files.writeString(dir.resolve("header_checks"), "/^Subject: .*forbidden/ REJECT no thanks\n");
        List<String> chain = new ArrayList<>();
        boolean inChain = false;
        for (String line : Files.readAllLines(sample())) {
            if (line.equals("filters: []")) {
                inChain = true;
                chain.add("filters:");
                continue;
            }
            if (inChain && (line.startsWith("#  - ") || line.startsWith("#    "))) {
                chain.add(line.substring(1)
                        .replace("/etc/moat/recipients.txt", recipients.toString())
                        .replace("/etc/moat/header_checks", headerChecks.toString()));
            } else if (inChain && !line.startsWith("#")) {
                inChain = false;
            }
        }
        assertTrue(chain.size() > 20, "the sample lost its commented chain: " + chain);
        String yaml = String.join("\n", chain) + "\nroutes:\n  - domains: [example.com]\n    mode: capture\n";
        try (TestGateway gw = TestGateway.builder(dir).yaml(yaml).start(); RawSmtp c = RawSmtp.connect(gw.port())) {
            c.lastLine();
            c.command("EHLO client.test");
            assertEquals("250 2.1.0 Sender <a@sender.test> OK", c.command("MAIL FROM:<a@sender.test>"));
            assertTrue(c.command("RCPT TO:<nobody@example.com>").startsWith("550 5.1.1"));
            assertTrue(c.command("RCPT TO:<x@foreign.test>").startsWith("5"));
            assertEquals("250 2.1.5 Recipient <bob@example.com> OK", c.command("RCPT TO:<bob@example.com>"));
            c.command("DATA");
            assertTrue(c.command("Subject: hello\r\n\r\nhi\r\n.").startsWith("250 2.0.0"));
            c.command("MAIL FROM:<a@sender.test>");
            c.command("RCPT TO:<bob@example.com>");
            c.command("DATA");
            assertTrue(c.command("Subject: forbidden fruit\r\n\r\nhi\r\n.").startsWith("5"));
            assertEquals(1, gw.capture().list().size());
        }
    }

    private static Path sample() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("distribution/src/conf/moat.yaml");
            if (Files.exists(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("distribution/src/conf/moat.yaml not found above " + Path.of("").toAbsolutePath());
    }
}
