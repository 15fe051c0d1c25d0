package dev.moat.core.config;

import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * {@code ${NAME}} substitution in string values, so that secrets and per-host values need not be
 * written in the configuration file.
 *
 * <p>It is applied to each string scalar after YAML parsing, never to the raw text: a variable's
 * value is always one string and cannot inject keys, lists or anchors into the document.
 *
 * <ul>
 *   <li>{@code ${NAME}}: the variable's value; an unset variable is an error, because an empty
 *       password or address would otherwise slip through.
 *   <li>{@code ${NAME:-fallback}}: the fallback (literal text, up to the closing brace) when the
 *       variable is unset or empty, as in a POSIX shell.
 *   <li><code>$${</code>: a literal <code>${</code>. A {@code $} anywhere else is literal.
 * </ul>
 *
 * Names are letters, digits and underscores, not starting with a digit. A substituted value is
 * not scanned again. Error messages name variables, never their values.
 */
final class EnvSubstitution {

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final String FALLBACK_SEPARATOR = ":-";

    private final Map<String, String> env;

    EnvSubstitution(Map<String, String> env) {
        this.env = Objects.requireNonNull(env, "env");
    }

    /**
     * Substitutes the variables of one string value.
     *
     * @param raw the value as written in the file
     * @param keyPath where the value is, for error messages
     * @throws ConfigException if a reference is malformed or names an unset variable without
     *     fallback
     */
    Text apply(String raw, String keyPath) {
        if (raw.indexOf('$') < 0) {
            return Text.literal(raw);
        }
        StringBuilder out = new StringBuilder(raw.length());
        boolean substituted = false;
        int i = 0;
        while (i < raw.length()) {
            if (raw.startsWith("$${", i)) {
                out.append("${");
                i += 3;
            } else if (raw.startsWith("${", i)) {
                int close = raw.indexOf('}', i + 2);
                if (close < 0) {
                    throw new ConfigException(keyPath,
                            "unterminated '${' in '" + raw + "' (write '$${' for a literal '${')");
                }
                out.append(resolve(raw.substring(i + 2, close), keyPath));
                substituted = true;
                i = close + 1;
            } else {
                out.append(raw.charAt(i));
                i++;
            }
        }
        return new Text(out.toString(), raw, substituted);
    }

    private String resolve(String reference, String keyPath) {
        int separator = reference.indexOf(FALLBACK_SEPARATOR);
        String name = separator < 0 ? reference : reference.substring(0, separator);
        if (!NAME.matcher(name).matches()) {
            throw new ConfigException(keyPath, "'${" + reference + "}' is not a variable reference (a name is "
                    + "letters, digits and '_', not starting with a digit; write '$${' for a literal '${')");
        }
        String value = env.get(name);
        if (separator < 0) {
            if (value == null) {
                throw new ConfigException(keyPath, "environment variable " + name + " is not set (use ${"
                        + name + ":-fallback} to give a fallback)");
            }
            return value;
        }
        return value == null || value.isEmpty() ? reference.substring(separator + FALLBACK_SEPARATOR.length()) : value;
    }
}
