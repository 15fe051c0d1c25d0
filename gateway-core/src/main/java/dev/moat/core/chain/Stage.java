package dev.moat.core.chain;

import dev.moat.filter.ConnectContext;
import dev.moat.filter.DataContext;
import dev.moat.filter.DisconnectContext;
import dev.moat.filter.Filter;
import dev.moat.filter.HeloContext;
import dev.moat.filter.MailContext;
import dev.moat.filter.RcptContext;
import java.lang.reflect.Method;

/** The stages of the filter chain, in SMTP order; {@link #label()} is the name used in logs and metrics. */
public enum Stage {
    CONNECT("connect", ConnectContext.class),
    HELO("helo", HeloContext.class),
    MAIL_FROM("mailFrom", MailContext.class),
    RCPT_TO("rcptTo", RcptContext.class),
    DATA("data", DataContext.class),
    /** Not a verdict stage: the notice that the connection ended; its result is ignored. */
    DISCONNECT("disconnect", DisconnectContext.class);

    private final String label;
    private final Class<?> contextType;

    Stage(String label, Class<?> contextType) {
        this.label = label;
        this.contextType = contextType;
    }

    /** The stage's name, which is also the name of its method on {@link Filter}. */
    public String label() {
        return label;
    }

    /**
     * True if {@code filter}'s class overrides this stage's method. Stages that no filter implements
     * are skipped without a thread hand-off, which keeps the common short chain cheap.
     */
    boolean implementedBy(Filter filter) {
        try {
            Method method = filter.getClass().getMethod(label, contextType);
            return method.getDeclaringClass() != Filter.class;
        } catch (NoSuchMethodException e) {
            throw new AssertionError("Filter has no method " + label, e);
        }
    }
}
