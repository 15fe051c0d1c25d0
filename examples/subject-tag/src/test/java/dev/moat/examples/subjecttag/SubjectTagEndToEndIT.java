package dev.moat.examples.subjecttag;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.filter.testkit.CapturingNextHop;
import dev.moat.filter.testkit.MoatTestServer;
import dev.moat.filter.testkit.TestMessage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The packaged plugin in a real Moat: the zip this build produced is unpacked into a plugin
 * directory, Moat loads it (its own class loader, manifest check) on a random port, and a message
 * sent over SMTP reaches the next hop with its subject tagged. Runs after packaging (see the pom).
 */
class SubjectTagEndToEndIT {

    @Test
    void theDeployedZipTagsAMessageOnItsWayToTheNextHop() throws Exception {
        Path zip = Path.of(System.getProperty("plugin.zip"));
        assertTrue(Files.isRegularFile(zip), "run through Maven after packaging: " + zip);
        try (CapturingNextHop hop = CapturingNextHop.start();
                MoatTestServer moat = MoatTestServer.builder()
                        .pluginZip(zip)
                        .filters("""
                                - type: subject-tag
                                  tag: "[EXTERNAL]"
                                """)
                        .relayTo(hop, "example.com")
                        .start()) {
            MoatTestServer.SmtpExchange sent = moat.send("news@shop.example", "bob@example.com",
                    TestMessage.resource(SubjectTagEndToEndIT.class, "newsletter.eml"));
            assertEquals(250, sent.finalCode(), sent.replies().toString());

            CapturingNextHop.Delivery delivery = hop.awaitDelivery(Duration.ofSeconds(20));
            assertEquals("news@shop.example", delivery.sender());
            assertEquals(List.of("bob@example.com"), delivery.recipients());
            String text = delivery.text();
            assertTrue(text.contains("\r\nSubject: [EXTERNAL] =?UTF-8?Q?Gro=C3=9Fe_Auswahl?= this week\r\n"), text);
            assertTrue(text.endsWith("\r\nOur big selection, this week only.\r\n.a line starting with a dot survives\r\n"), text);

            // It really is the zip's copy that runs: loaded by the plugin's own class loader.
            ClassLoader loader = moat.runtime().gateway().chain().filters().get(0).filter().getClass().getClassLoader();
            assertEquals("moat-plugin-subject-tag", loader.getName());
        }
    }
}
