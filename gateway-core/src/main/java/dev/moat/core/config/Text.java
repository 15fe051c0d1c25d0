package dev.moat.core.config;

/**
 * A string value of the YAML file after {@code ${NAME}} substitution, with what is needed to talk
 * about it in an error message.
 *
 * <p>Values that came from the environment may be secrets (a token, a password), so {@link
 * #shown()} quotes the text as written in the file ({@code '${SMTP_PASSWORD}'}) instead of the
 * substituted value; operators can still tell which variable to check.
 *
 * @param value the value after substitution
 * @param raw the value as written in the file
 * @param fromEnv whether at least one variable was substituted into it
 */
record Text(String value, String raw, boolean fromEnv) {

    /** A value that did not come from the environment. */
    static Text literal(String value) {
        return new Text(value, value, false);
    }

    /** The value quoted for an error message, e.g. {@code '25XB'} or {@code '${MAX}' (after substitution)}. */
    String shown() {
        return fromEnv ? "'" + raw + "' (after substitution)" : "'" + value + "'";
    }

    /**
     * Rewrites the message of a parser that quoted the value ({@link Units}) so that it quotes it
     * the way {@link #shown()} does, never repeating a substituted value.
     */
    String reword(IllegalArgumentException e) {
        String message = String.valueOf(e.getMessage());
        String quotedValue = "'" + value + "'";
        if (message.startsWith(quotedValue)) {
            return shown() + message.substring(quotedValue.length());
        }
        return fromEnv ? shown() + " is not valid here" : message;
    }
}
