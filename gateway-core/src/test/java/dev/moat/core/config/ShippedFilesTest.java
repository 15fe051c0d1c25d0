package dev.moat.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The sample configuration and the reference doc must not drift from the loader: the sample loads
 * and equals the defaults, and both mention every key. Tests run with gateway-core as working
 * directory.
 */
class ShippedFilesTest {

    private static final Path SAMPLE = Path.of("../distribution/src/conf/moat.yaml");
    private static final Path REFERENCE = Path.of("../docs/configuration.md");

    private static List<String> allKeys() {
        List<String> keys = new ArrayList<>();
        keys.addAll(ConfigReader.TOP_LEVEL_KEYS);
        keys.addAll(ConfigReader.SERVER_KEYS);
        keys.addAll(ConfigReader.LISTENER_KEYS);
        keys.addAll(ConfigReader.TLS_KEYS);
        keys.addAll(ConfigReader.LIMITS_KEYS);
        keys.addAll(List.of("type", "name", "timeout"));
        keys.addAll(ConfigReader.ROUTE_KEYS);
        keys.addAll(ConfigReader.ROUTE_TLS_KEYS);
        keys.addAll(ConfigReader.ROUTE_AUTH_KEYS);
        keys.addAll(ConfigReader.CAPTURE_KEYS);
        keys.addAll(ConfigReader.ADMIN_KEYS);
        keys.addAll(ConfigReader.CERTIFICATE_KEYS);
        keys.addAll(ConfigReader.AUTH_KEYS);
        keys.addAll(ConfigReader.QUEUE_KEYS);
        return keys;
    }

    @Test
    void sampleLoadsAndEqualsTheDefaults() {
        assertEquals(ConfigLoader.defaults(), ConfigLoader.load(SAMPLE));
    }

    @Test
    void sampleShowsEveryKey() throws Exception {
        // Keys without a fixed default (hostname), not allowed with the default value (certificate
        // and key when TLS is off) or only inside filter entries (the default chain is empty) are
        // shown commented out; every other key is set.
        Set<String> commentedOut = Set.of("hostname", "certificate", "key", "type", "timeout",
                // inline routes only; the default route captures
                "next-hops", "auth", "connect-timeout", "command-timeout", "data-timeout", "trust-file",
                "expected-name", "username", "password", "password-file",
                // the admin token has no default and must not be written in the file
                "token",
                // TLS and PROXY settings that the plain default listener may not have
                "additional-certificates", "trusted-proxies",
                // the users and sender files have no default
                "users-file", "sender-logins",
                // the plugin directory's default depends on where Moat is installed, the queue's on data-directory
                "directory");
        String sample = Files.readString(SAMPLE);
        for (String key : allKeys()) {
            String prefix = commentedOut.contains(key) ? "^ *#[ #-]*" : "^[ -]*";
            Pattern line = Pattern.compile("(?m)" + prefix + Pattern.quote(key) + ":");
            assertTrue(line.matcher(sample).find(), "sample lacks key " + key);
        }
    }

    @Test
    void referenceDocumentsEveryKey() throws Exception {
        String reference = Files.readString(REFERENCE);
        for (String key : allKeys()) {
            assertTrue(reference.contains("| `" + key + "` |"), "docs/configuration.md lacks a table row for " + key);
        }
    }

    @Test
    void defaultConfigurationInTheReferenceIsTheDefault() throws Exception {
        String reference = Files.readString(REFERENCE);
        String section = reference.substring(reference.indexOf("## The default configuration"));
        String yaml = section.substring(section.indexOf("```yaml\n") + 8, section.indexOf("\n```", section.indexOf("```yaml")));
        assertTrue(yaml.startsWith("server:") && yaml.endsWith("public-metrics: true"), yaml);
        assertEquals(ConfigLoader.defaults(), ConfigLoader.parse(yaml, Map.of()));
    }
}
