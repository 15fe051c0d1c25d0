package dev.moat.core.smtp;

import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.protocols.api.handler.CommandDispatcher;
import org.apache.james.protocols.api.handler.WiringException;
import org.apache.james.protocols.smtp.SMTPProtocolHandlerChain;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.core.ExpnCmdHandler;
import org.apache.james.protocols.smtp.core.HeloCmdHandler;
import org.apache.james.protocols.smtp.core.HelpCmdHandler;
import org.apache.james.protocols.smtp.core.NoopCmdHandler;
import org.apache.james.protocols.smtp.core.QuitCmdHandler;
import org.apache.james.protocols.smtp.core.RcptCmdHandler;
import org.apache.james.protocols.smtp.core.RsetCmdHandler;
import org.apache.james.protocols.smtp.core.UnknownCmdHandler;
import org.apache.james.protocols.smtp.core.VrfyCmdHandler;
import org.apache.james.protocols.smtp.core.esmtp.EhloCmdHandler;
import org.apache.james.protocols.smtp.core.esmtp.StartTlsCmdHandler;
import org.apache.james.protocols.smtp.core.fastfail.MaxRcptHandler;

/**
 * The James handler chain of one listener: James's command parsing, with Moat's pieces where James's
 * defaults are unsafe for a gateway (shared/notes/james-protocols.md). Left out on purpose: James's
 * welcome handler (the greeting runs the connect stage), DATA handling, Received filter and SIZE
 * extension (Moat's receiver does them correctly), and the postmaster hook (it would accept
 * {@code <postmaster>} past the relay check).
 */
final class SmtpHandlerChain {

    private SmtpHandlerChain() {
    }

    static SMTPProtocolHandlerChain build(MetricFactory metrics, SessionServices services,
            InvalidCommandLimiter invalidCommands) throws WiringException {
        SMTPProtocolHandlerChain chain = new SMTPProtocolHandlerChain(metrics, false);
        chain.add(new CommandDispatcher<SMTPSession>());
        chain.add(new GreetingHandler(services));
        chain.add(new EhloCmdHandler(metrics));
        chain.add(new HeloCmdHandler(metrics));
        chain.add(new SequenceSafeMailCmdHandler(metrics));
        chain.add(new RcptCmdHandler(metrics));
        chain.add(new SpoolingDataCmdHandler(metrics, services, new TransactionFinisher(services)));
        chain.add(new RsetCmdHandler());
        chain.add(new NoopCmdHandler());
        chain.add(new QuitCmdHandler(metrics));
        chain.add(new HelpCmdHandler());
        chain.add(new VrfyCmdHandler());
        chain.add(new ExpnCmdHandler());
        chain.add(new StartTlsCmdHandler());
        services.submission().ifPresent(s -> chain.add(new SubmissionAuthHandler(s, services.listener(), services.hostname())));
        chain.add(new UnknownCmdHandler(metrics));
        chain.add(new MailParameters(services.limits().maxMessageSize(), services.queue().isPresent()));
        chain.add(new HeloStageHook(services));
        services.submission().ifPresent(s -> chain.add(new SubmissionMailHook(s)));
        chain.add(new MailStageHook(services));
        MaxRcptHandler maxRcpt = new MaxRcptHandler();
        maxRcpt.setMaxRcpt(services.limits().maxRecipients());
        chain.add(maxRcpt);
        chain.add(new RcptStageHook(services));
        chain.add(invalidCommands);
        chain.add(new SessionCleanup(services));
        chain.wireExtensibleHandlers();
        return chain;
    }
}
