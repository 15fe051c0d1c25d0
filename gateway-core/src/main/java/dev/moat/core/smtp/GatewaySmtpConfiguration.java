package dev.moat.core.smtp;

import java.util.Optional;
import org.apache.james.protocols.api.OidcSASLConfiguration;
import org.apache.james.protocols.smtp.SMTPConfiguration;

/**
 * What James's handlers ask of the configuration. Relaying is never "allowed" here: the filter chain
 * and the routes decide per recipient. James's AUTH is never announced: submission listeners use
 * Moat's own {@link SubmissionAuthHandler}, which decides when AUTH is offered.
 */
final class GatewaySmtpConfiguration implements SMTPConfiguration {

    private final String hostname;
    private final long maxMessageSize;

    GatewaySmtpConfiguration(String hostname, long maxMessageSize) {
        this.hostname = hostname;
        this.maxMessageSize = maxMessageSize;
    }

    @Override
    public String getHelloName() {
        return hostname;
    }

    @Override
    public String getGreeting() {
        return hostname + " ESMTP Moat";
    }

    @Override
    public String getSoftwareName() {
        return "Moat";
    }

    @Override
    public long getMaxMessageSize() {
        return maxMessageSize;
    }

    @Override
    public boolean isRelayingAllowed(String remoteIP) {
        return false;
    }

    @Override
    public boolean isAuthAnnounced(String remoteIP, boolean tlsStarted) {
        return false;
    }

    @Override
    public boolean useHeloEhloEnforcement() {
        return true;
    }

    @Override
    public boolean useAddressBracketsEnforcement() {
        return true;
    }

    @Override
    public boolean isPlainAuthEnabled() {
        return false;
    }

    @Override
    public Optional<OidcSASLConfiguration> saslConfiguration() {
        return Optional.empty();
    }
}
