package dev.moat.filter;

/**
 * The {@link Filter#disconnect} notice: the connection has ended (QUIT, timeout, error, or a refusal
 * at connect). Nothing can be answered any more; use it to release per-connection state.
 */
public interface DisconnectContext extends StageContext {
}
