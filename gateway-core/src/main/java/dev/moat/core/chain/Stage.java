package dev.moat.core.chain;

import dev.moat.filter.Filter;
import java.lang.reflect.Method;

/** The stages of the filter chain, in SMTP order; {@link #label()} is the name used in logs and metrics. */
public enum Stage {
    CONNECT("connect"),
    HELO("helo"),
    MAIL_FROM("mailFrom"),
    RCPT_TO("rcptTo"),
    DATA("data");

    private final String label;

    Stage(String label) {
        this.label = label;
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
        for (Class<?> c = filter.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
            for (Method m : c.getDeclaredMethods()) {
                if (m.getName().equals(label) && m.getParameterCount() == 1 && !m.isBridge()) {
                    return true;
                }
            }
        }
        return false;
    }
}
