package dev.moat.core.config;

import java.time.Duration;
import java.util.Objects;

/**
 * What one client may cost the gateway (YAML block {@code limits}).
 *
 * <p>Every limit is enforced on the wire with a specific SMTP reply, documented key by key in
 * {@code docs/configuration.md}; the defaults are safe for an internet-facing port 25. The ranges
 * keep each limit within what the protocol allows (the line lengths of RFC 5321 §4.5.3.1) and
 * what a single process can honour.
 *
 * @param maxMessageSize largest message accepted, in bytes; advertised with the SIZE extension
 * @param maxRecipients accepted RCPT TO per transaction
 * @param maxConnections open SMTP connections over all listeners
 * @param maxConnectionsPerIp open SMTP connections from one client IP address
 * @param idleTimeout longest wait for the client's next command
 * @param commandTimeout longest time for a single command line to arrive complete
 * @param dataTimeout longest time from the 354 reply to the final dot
 * @param maxInvalidCommands unknown or syntactically invalid commands per connection, RSET or not
 * @param maxCommandLineLength longest command line in octets, CRLF included
 * @param maxDataLineLength longest message line in octets, CRLF excluded
 * @param memoryBuffer bytes of a message kept in memory before it spools to a file
 * @param bareLineEndings what to do with a lone CR or LF in a message
 */
public record LimitsConfig(
        long maxMessageSize,
        int maxRecipients,
        int maxConnections,
        int maxConnectionsPerIp,
        Duration idleTimeout,
        Duration commandTimeout,
        Duration dataTimeout,
        int maxInvalidCommands,
        int maxCommandLineLength,
        int maxDataLineLength,
        int memoryBuffer,
        BareLineEndings bareLineEndings) {

    /** Default of {@code max-message-size}: 25MB. */
    public static final long DEFAULT_MAX_MESSAGE_SIZE = 25 * Units.MB;
    /** Smallest allowed {@code max-message-size}: 1KB. */
    public static final long MIN_MAX_MESSAGE_SIZE = Units.KB;
    /** Largest allowed {@code max-message-size}: 64GB. */
    public static final long MAX_MAX_MESSAGE_SIZE = 64 * Units.GB;

    /** Default of {@code max-recipients}. */
    public static final int DEFAULT_MAX_RECIPIENTS = 100;
    /** Smallest allowed {@code max-recipients} (RFC 5321 §4.5.3.1.8 asks servers to take at least 100). */
    public static final int MIN_MAX_RECIPIENTS = 1;
    /** Largest allowed {@code max-recipients}. */
    public static final int MAX_MAX_RECIPIENTS = 10_000;

    /** Default of {@code max-connections}. */
    public static final int DEFAULT_MAX_CONNECTIONS = 500;
    /** Largest allowed {@code max-connections}. */
    public static final int MAX_MAX_CONNECTIONS = 100_000;

    /** Default of {@code max-connections-per-ip}. */
    public static final int DEFAULT_MAX_CONNECTIONS_PER_IP = 20;

    /** Default of {@code idle-timeout}. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(5);
    /** Default of {@code command-timeout}. */
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofMinutes(5);
    /** Default of {@code data-timeout}. */
    public static final Duration DEFAULT_DATA_TIMEOUT = Duration.ofMinutes(10);
    /** Shortest allowed timeout: timeouts must be positive. */
    public static final Duration MIN_TIMEOUT = Duration.ofMillis(1);
    /** Longest allowed timeout. */
    public static final Duration MAX_TIMEOUT = Duration.ofHours(24);

    /** Default of {@code max-invalid-commands}. */
    public static final int DEFAULT_MAX_INVALID_COMMANDS = 10;
    /** Largest allowed {@code max-invalid-commands}. */
    public static final int MAX_MAX_INVALID_COMMANDS = 1000;

    /** Default and smallest {@code max-command-line-length}: 512 octets with CRLF (RFC 5321 §4.5.3.1.4). */
    public static final int DEFAULT_MAX_COMMAND_LINE_LENGTH = 512;
    /** Largest allowed {@code max-command-line-length} and {@code max-data-line-length}. */
    public static final int MAX_LINE_LENGTH = 65_536;

    /** Default and smallest {@code max-data-line-length}: 998 octets without CRLF (RFC 5322 §2.1.1). */
    public static final int DEFAULT_MAX_DATA_LINE_LENGTH = 998;

    /** Default of {@code memory-buffer}: 64KB. */
    public static final int DEFAULT_MEMORY_BUFFER = (int) (64 * Units.KB);
    /** Largest allowed {@code memory-buffer}: 16MB. */
    public static final int MAX_MEMORY_BUFFER = (int) (16 * Units.MB);

    /** Default of {@code bare-line-endings}. */
    public static final BareLineEndings DEFAULT_BARE_LINE_ENDINGS = BareLineEndings.REJECT;

    private static final LimitsConfig DEFAULTS = new LimitsConfig(
            DEFAULT_MAX_MESSAGE_SIZE,
            DEFAULT_MAX_RECIPIENTS,
            DEFAULT_MAX_CONNECTIONS,
            DEFAULT_MAX_CONNECTIONS_PER_IP,
            DEFAULT_IDLE_TIMEOUT,
            DEFAULT_COMMAND_TIMEOUT,
            DEFAULT_DATA_TIMEOUT,
            DEFAULT_MAX_INVALID_COMMANDS,
            DEFAULT_MAX_COMMAND_LINE_LENGTH,
            DEFAULT_MAX_DATA_LINE_LENGTH,
            DEFAULT_MEMORY_BUFFER,
            DEFAULT_BARE_LINE_ENDINGS);

    public LimitsConfig {
        Checks.inRange("maxMessageSize", maxMessageSize, MIN_MAX_MESSAGE_SIZE, MAX_MAX_MESSAGE_SIZE);
        Checks.inRange("maxRecipients", maxRecipients, MIN_MAX_RECIPIENTS, MAX_MAX_RECIPIENTS);
        Checks.inRange("maxConnections", maxConnections, 1, MAX_MAX_CONNECTIONS);
        Checks.inRange("maxConnectionsPerIp", maxConnectionsPerIp, 1, maxConnections);
        Checks.inRange("idleTimeout", idleTimeout, MIN_TIMEOUT, MAX_TIMEOUT);
        Checks.inRange("commandTimeout", commandTimeout, MIN_TIMEOUT, MAX_TIMEOUT);
        Checks.inRange("dataTimeout", dataTimeout, MIN_TIMEOUT, MAX_TIMEOUT);
        Checks.inRange("maxInvalidCommands", maxInvalidCommands, 1, MAX_MAX_INVALID_COMMANDS);
        Checks.inRange("maxCommandLineLength", maxCommandLineLength, DEFAULT_MAX_COMMAND_LINE_LENGTH, MAX_LINE_LENGTH);
        Checks.inRange("maxDataLineLength", maxDataLineLength, DEFAULT_MAX_DATA_LINE_LENGTH, MAX_LINE_LENGTH);
        Checks.inRange("memoryBuffer", memoryBuffer, 0, MAX_MEMORY_BUFFER);
        Objects.requireNonNull(bareLineEndings, "bareLineEndings");
    }

    /** The limits used when the configuration has no {@code limits} block. */
    public static LimitsConfig defaults() {
        return DEFAULTS;
    }
}
