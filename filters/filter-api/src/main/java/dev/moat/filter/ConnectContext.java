package dev.moat.filter;

/**
 * The {@link Filter#connect} stage: a client has just connected, before the greeting. A reject or
 * tempfail here is sent instead of the greeting and the connection is closed.
 */
public interface ConnectContext extends StageContext {
}
