package dev.moat.filters.connectionpolicy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.moat.core.testing.RawSmtp;
import dev.moat.core.testing.TestGateway;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Behind an HAProxy PROXY-protocol load balancer every connection comes from the proxy's address;
 * the rate limits must count the client named in the PROXY header, not the proxy.
 */
class ConnectionPolicyBehindProxyTest {

    @TempDir
    Path dir;

    private static String greeting(TestGateway gw, String client) throws Exception {
        try (RawSmtp c = RawSmtp.connect(gw.port())) {
            c.send("PROXY TCP4 " + client + " 192.0.2.1 40000 25\r\n");
            String line = c.lastLine();
            if (line.startsWith("220 ")) {
                c.command("QUIT");
            }
            return line;
        }
    }

    @Test
    void connectionRateCountsTheProxiedClient() throws Exception {
        String yaml = "listeners:\n  - name: lb\n    address: 127.0.0.1:0\n    proxy-protocol: true\n"
                + "    trusted-proxies: [\"127.0.0.1\"]\n"
                + "filters:\n  - {name: cp, type: connection-policy, max-connection-rate: 2/1h}\n";
        try (TestGateway gw = TestGateway.builder(dir).yaml(yaml).start()) {
            assertTrue(greeting(gw, "203.0.113.5").startsWith("220 "));
            assertTrue(greeting(gw, "203.0.113.5").startsWith("220 "));
            assertEquals("421 4.7.0 Connection rate limit exceeded, try again later", greeting(gw, "203.0.113.5"));
            // another client behind the same proxy is not affected
            assertTrue(greeting(gw, "198.51.100.20").startsWith("220 "));
        }
    }
}
