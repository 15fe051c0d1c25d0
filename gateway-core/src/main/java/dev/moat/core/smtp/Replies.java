package dev.moat.core.smtp;

import dev.moat.filter.Reply;
import dev.moat.filter.Verdict;
import org.apache.james.protocols.smtp.SMTPResponse;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;

/** Turns verdicts and replies into James's reply types. */
final class Replies {

    private Replies() {
    }

    static SMTPResponse response(Reply reply, boolean disconnect) {
        SMTPResponse response = new SMTPResponse(Integer.toString(reply.code()),
                reply.enhancedStatus() + (reply.text().isEmpty() ? "" : " " + reply.text()));
        response.setEndSession(disconnect);
        return response;
    }

    static SMTPResponse response(int code, String enhanced, String text) {
        return response(new Reply(code, enhanced, text), false);
    }

    /** A refusal as a hook result; {@code verdict} must be a reject or tempfail. */
    static HookResult refusal(Verdict verdict) {
        Reply reply = verdict.reply().orElseThrow();
        HookReturnCode.Action action = reply.isPermanent() ? HookReturnCode.Action.DENY : HookReturnCode.Action.DENYSOFT;
        HookReturnCode code = verdict.disconnect() ? HookReturnCode.disconnected(action) : HookReturnCode.connected(action);
        return HookResult.builder().hookReturnCode(code)
                .smtpReturnCode(Integer.toString(reply.code()))
                .smtpDescription(reply.enhancedStatus() + (reply.text().isEmpty() ? "" : " " + reply.text()))
                .build();
    }

    /** Go on with James's own handling (its standard 250), closing afterwards if asked. */
    static HookResult proceed(boolean disconnect) {
        return disconnect
                ? HookResult.builder().hookReturnCode(HookReturnCode.disconnected(HookReturnCode.Action.OK)).build()
                : HookResult.OK;
    }
}
