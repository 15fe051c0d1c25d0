package dev.moat.core.smtp;

import java.math.BigInteger;
import java.util.List;
import java.util.Locale;
import org.apache.james.protocols.api.ProtocolSession.AttachmentKey;
import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.core.esmtp.EhloExtension;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.protocols.smtp.hook.MailParametersHook;

/**
 * The MAIL FROM parameters Moat understands: SIZE (RFC 1870, advertised with the limit), BODY
 * (RFC 6152) and, when the gateway has a queue (which can bounce), RET and ENVID of DSN (RFC 3461,
 * advertised as {@code DSN}; the RCPT parameters NOTIFY and ORCPT are checked by {@link DsnParameters}).
 * A declared SIZE over the limit is refused before any data is sent, however large the number
 * (James's own check overflows past 2^31). Values are kept for the transaction.
 */
final class MailParameters implements MailParametersHook, EhloExtension {

    /** Parameters of the MAIL command being processed; cleared when a new MAIL line arrives. */
    static final AttachmentKey<java.util.Map<String, String>> PENDING = AttachmentKey.of("moat.mailParameters",
            castMapClass());

    private final long maxMessageSize;
    private final boolean dsn;

    MailParameters(long maxMessageSize, boolean dsn) {
        this.maxMessageSize = maxMessageSize;
        this.dsn = dsn;
    }

    @Override
    public List<String> getImplementedEsmtpFeatures(SMTPSession session) {
        return dsn ? List.of("SIZE " + maxMessageSize, "DSN") : List.of("SIZE " + maxMessageSize);
    }

    @Override
    public String[] getMailParamNames() {
        return dsn ? new String[] {"SIZE", "BODY", "RET", "ENVID"} : new String[] {"SIZE", "BODY"};
    }

    @Override
    public HookResult doMailParameter(SMTPSession session, String name, String value) {
        if (name.equals("SIZE")) {
            if (value.isEmpty() || value.length() > 20 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return refuse("501", "5.5.4 Syntax error in SIZE parameter");
            }
            if (new BigInteger(value).compareTo(BigInteger.valueOf(maxMessageSize)) > 0) {
                return refuse("552", "5.3.4 Message size exceeds fixed maximum message size");
            }
        } else if (name.equals("BODY")) {
            String body = value.toUpperCase(Locale.ROOT);
            if (!body.equals("7BIT") && !body.equals("8BITMIME")) {
                return refuse("501", "5.5.4 Unsupported BODY type");
            }
            value = body;
        } else if (name.equals("RET")) {
            String ret = value.toUpperCase(Locale.ROOT);
            if (!ret.equals("FULL") && !ret.equals("HDRS")) {
                return refuse("501", "5.5.4 RET must be FULL or HDRS");
            }
            value = ret;
        } else if (name.equals("ENVID")) {
            if (!DsnParameters.isXtext(value, 100)) {
                return refuse("501", "5.5.4 Invalid ENVID parameter");
            }
        }
        java.util.Map<String, String> pending = session.getAttachment(PENDING, State.Transaction).orElseGet(() -> {
            java.util.Map<String, String> map = new java.util.LinkedHashMap<>();
            session.setAttachment(PENDING, map, State.Transaction);
            return map;
        });
        pending.put(name, value);
        return HookResult.DECLINED;
    }

    private static HookResult refuse(String code, String text) {
        return HookResult.builder().hookReturnCode(HookReturnCode.deny()).smtpReturnCode(code).smtpDescription(text).build();
    }

    @SuppressWarnings("unchecked")
    private static Class<java.util.Map<String, String>> castMapClass() {
        return (Class<java.util.Map<String, String>>) (Class<?>) java.util.Map.class;
    }
}
