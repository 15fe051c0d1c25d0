package dev.moat.filter;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The settings of one filter instance from the configuration, with typed getters. Every getter throws
 * {@link InvalidSettingException} naming the key if the value has the wrong type; a key the filter's
 * {@link FilterFactory#settingKeys()} does not declare never reaches here (start-up fails first).
 */
public interface FilterSettings {

    /** The instance name ({@code name:} in the configuration, or the type name). */
    String filterName();

    boolean has(String key);

    Optional<String> string(String key);

    /** The value or, if absent, {@code defaultValue}; a missing key without default: use {@link #requiredString}. */
    String string(String key, String defaultValue);

    String requiredString(String key);

    int integer(String key, int defaultValue);

    boolean bool(String key, boolean defaultValue);

    /** A size such as {@code 10MB} or a plain number of bytes. */
    long size(String key, long defaultValue);

    /** A duration such as {@code 30s}, {@code 5m}, {@code 500ms}. */
    Duration duration(String key, Duration defaultValue);

    /**
     * A refusal reply written {@code "554 5.7.1 text"}: a 4xx or 5xx code, its enhanced status code and
     * an optional text; use it with {@link Verdict#refuse(Reply)}. Reply codes and texts are settings,
     * so operators can word them as their site needs.
     */
    Reply reply(String key, String defaultValue);

    /** A list of strings; a single string counts as a list of one; empty if absent. */
    List<String> strings(String key);
}
