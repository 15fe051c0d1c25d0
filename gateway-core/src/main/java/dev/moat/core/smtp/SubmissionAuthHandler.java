package dev.moat.core.smtp;

import dev.moat.core.auth.AuthThrottle;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import io.netty.channel.ChannelHandlerContext;
import org.apache.james.core.Username;
import org.apache.james.protocols.api.ProtocolSessionImpl;
import org.apache.james.protocols.netty.HandlerConstants;
import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.CommandHandler;
import org.apache.james.protocols.api.handler.LineHandler;
import org.apache.james.protocols.smtp.SMTPResponse;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.core.esmtp.EhloExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SMTP AUTH (RFC 4954) with the SASL mechanisms PLAIN (RFC 4616) and LOGIN, on submission listeners
 * only, replacing James's AUTH handler (which answers without enhanced codes, accepts an authorization
 * identity other than the user, and cannot refuse before TLS or slow down guessing).
 * <ul>
 *   <li>Offered in the EHLO reply only once TLS is active; before STARTTLS, AUTH gets
 *       {@code 530 5.7.0 Must issue a STARTTLS command first}.</li>
 *   <li>Each failure is answered {@code 535 5.7.8} after the throttle's growing delay (no thread waits:
 *       the session handler holds the reply and the client's next commands); reaching a limit, or
 *       trying while blocked, gets {@code 421 4.7.0} and the connection is closed.</li>
 *   <li>The password is never logged, stored or echoed; only the user name and the result are logged.</li>
 * </ul>
 * Stateless; one instance per listener, used from the session workers.
 */
final class SubmissionAuthHandler implements CommandHandler<SMTPSession>, EhloExtension {

    private static final Logger LOG = LoggerFactory.getLogger(SubmissionAuthHandler.class);

    private static final String USERNAME_CHALLENGE = "VXNlcm5hbWU6"; // "Username:"
    private static final String PASSWORD_CHALLENGE = "UGFzc3dvcmQ6"; // "Password:"

    private final Submission submission;
    private final String listener;
    private final String hostname;

    SubmissionAuthHandler(Submission submission, String listener, String hostname) {
        this.submission = submission;
        this.listener = listener;
        this.hostname = hostname;
    }

    @Override
    public Collection<String> getImplCommands() {
        return Set.of("AUTH");
    }

    @Override
    public List<String> getImplementedEsmtpFeatures(SMTPSession session) {
        if (submission.needsStartTls(session)) {
            return List.of();
        }
        return List.of("AUTH PLAIN LOGIN");
    }

    @Override
    public Response onCommand(SMTPSession session, Request request) {
        if (submission.needsStartTls(session)) {
            return new SMTPResponse("530", "5.7.0 Must issue a STARTTLS command first");
        }
        ConnectionFacts facts = ConnectionFacts.of(session);
        if (session.getAttachment(SMTPSession.CURRENT_HELO_NAME, State.Connection).isEmpty()
                || (session.isTLSStarted() && !facts.heloSinceTls)) {
            return new SMTPResponse("503", "5.5.1 Send EHLO first");
        }
        if (facts.authenticatedUser != null) {
            return new SMTPResponse("503", "5.5.1 Already authenticated");
        }
        if (session.getAttachment(SmtpTransaction.KEY, State.Transaction).isPresent()) {
            return new SMTPResponse("503", "5.5.1 AUTH is not allowed during a mail transaction");
        }
        String argument = request.getArgument();
        if (argument == null || argument.isBlank()) {
            return new SMTPResponse("501", "5.5.4 Syntax: AUTH mechanism [initial-response]");
        }
        String ip = SessionSnapshot.of(session, listener).clientIp();
        if (submission.throttle().blocked(ip, Optional.empty()).isPresent()) {
            return blocked(session, "IP", Optional.empty());
        }
        String[] words = argument.strip().split(" +", 2);
        String mechanism = words[0].toUpperCase(Locale.ROOT);
        Optional<String> initial = words.length > 1 ? Optional.of(words[1]) : Optional.empty();
        return switch (mechanism) {
            case "PLAIN" -> initial.isPresent()
                    ? plain(session, initial.get())
                    : challenge(session, "", line -> plain(session, line));
            case "LOGIN" -> initial.isPresent()
                    ? loginUser(session, initial.get())
                    : challenge(session, USERNAME_CHALLENGE, line -> loginUser(session, line));
            default -> new SMTPResponse("504", "5.5.4 Unrecognized authentication type");
        };
    }

    /** Sends a 334 challenge; the client's next line goes to {@code next} (or cancels with "*"). */
    private static Response challenge(SMTPSession session, String text, java.util.function.Function<String, Response> next) {
        session.pushLineHandler(new LineHandler<SMTPSession>() {
            @Override
            public Response onLine(SMTPSession s, byte[] line) {
                s.popLineHandler();
                String response = new String(line, StandardCharsets.US_ASCII).strip();
                if (response.equals("*")) {
                    return new SMTPResponse("501", "5.0.0 Authentication cancelled");
                }
                return next.apply(response);
            }
        });
        return new SMTPResponse("334", text);
    }

    private Response plain(SMTPSession session, String encoded) {
        Optional<String> decoded = decode(encoded);
        if (decoded.isEmpty()) {
            return invalidBase64();
        }
        // authzid NUL authcid NUL passwd; the split keeps empty fields
        String[] parts = decoded.get().split("\0", -1);
        if (parts.length != 3 || parts[1].isEmpty()) {
            return new SMTPResponse("501", "5.5.2 Malformed PLAIN response");
        }
        return check(session, "PLAIN", parts[0], parts[1], parts[2]);
    }

    private Response loginUser(SMTPSession session, String encoded) {
        Optional<String> user = decode(encoded);
        if (user.isEmpty()) {
            return invalidBase64();
        }
        if (user.get().isEmpty()) {
            return new SMTPResponse("501", "5.5.2 Empty user name");
        }
        return challenge(session, PASSWORD_CHALLENGE, line -> {
            Optional<String> password = decode(line);
            if (password.isEmpty()) {
                return invalidBase64();
            }
            return check(session, "LOGIN", "", user.get(), password.get());
        });
    }

    private Response check(SMTPSession session, String mechanism, String authorization, String user, String password) {
        String ip = SessionSnapshot.of(session, listener).clientIp();
        AuthThrottle throttle = submission.throttle();
        Optional<AuthThrottle.Scope> blocked = throttle.blocked(ip, Optional.of(user));
        if (blocked.isPresent()) {
            return blocked(session, blocked.get().name(), Optional.of(user));
        }
        // An authorization identity other than the user would let one account act as another.
        boolean ok = (authorization.isEmpty() || authorization.equals(user)) && submission.users().authenticate(user, password);
        if (ok) {
            throttle.success(user);
            ConnectionFacts.of(session).authenticatedUser = user;
            try {
                session.setUsername(Username.of(user));
            } catch (RuntimeException e) {
                // James's name type refuses some names; Moat's own record above is what counts
            }
            submission.metrics().attempt(listener, "success");
            LOG.info("AUTH {} succeeded for user '{}' from {}", mechanism, printable(user), ip);
            return new SMTPResponse("235", "2.7.0 Authentication successful");
        }
        AuthThrottle.Failure failure = throttle.failure(ip, user);
        submission.metrics().attempt(listener, "failure");
        LOG.info("AUTH {} failed for user '{}' from {}", mechanism, printable(user), ip);
        if (failure.blockedNow().isPresent()) {
            submission.metrics().block(failure.blockedNow().get());
            LOG.warn("AUTH blocked for {} after too many failures (user '{}', from {})",
                    failure.blockedNow().get() == AuthThrottle.Scope.IP ? "IP " + ip : "user", printable(user), ip);
            return closing("421", "4.7.0 " + hostname + " Too many failed authentication attempts, try again later");
        }
        Response invalid = new SMTPResponse("535", "5.7.8 Authentication credentials invalid");
        if (!failure.delay().isZero()) {
            // The reply waits without holding a thread; the client's next commands wait behind it.
            ChannelHandlerContext core = coreContext(session);
            if (core != null && core.handler() instanceof GatewayChannelHandler handler) {
                handler.hold(core, session, invalid, failure.delay());
                return null;
            }
        }
        return invalid;
    }

    private static ChannelHandlerContext coreContext(SMTPSession session) {
        if (session instanceof ProtocolSessionImpl impl && impl.getProtocolTransport() instanceof GatewayTransport transport) {
            return transport.channel().pipeline().context(HandlerConstants.CORE_HANDLER);
        }
        return null;
    }

    private Response blocked(SMTPSession session, String scope, Optional<String> user) {
        submission.metrics().attempt(listener, "blocked");
        LOG.info("AUTH refused: {} blocked after too many failures (from {}{})", scope.toLowerCase(Locale.ROOT),
                SessionSnapshot.of(session, listener).clientIp(), user.map(u -> ", user '" + printable(u) + "'").orElse(""));
        return closing("421", "4.7.0 " + hostname + " Too many failed authentication attempts, try again later");
    }

    private static SMTPResponse closing(String code, String text) {
        SMTPResponse response = new SMTPResponse(code, text);
        response.setEndSession(true);
        return response;
    }

    private static Response invalidBase64() {
        return new SMTPResponse("501", "5.5.2 Cannot decode the response (base64)");
    }

    /** Strict base64 ("=" alone is the empty initial response of RFC 4954). */
    private static Optional<String> decode(String encoded) {
        String text = encoded.strip();
        if (text.equals("=")) {
            return Optional.of("");
        }
        try {
            return Optional.of(new String(Base64.getDecoder().decode(text), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** A user name for the log: printable ASCII only, at most 64 characters (it is client input). */
    private static String printable(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), 64));
        for (int i = 0; i < s.length() && b.length() < 64; i++) {
            char c = s.charAt(i);
            b.append(c >= 32 && c < 127 ? c : '?');
        }
        return b.toString();
    }
}
