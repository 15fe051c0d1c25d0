package dev.moat.core.auth;

/**
 * Checks SMTP AUTH credentials. Moat ships a password-file store ({@link PasswordFileUserStore}); an
 * LDAP or HTTP store can implement this interface later without touching the SMTP side.
 *
 * <p>Called on the session worker pool, never on a network event loop, so an implementation may
 * block (file or network I/O); it must be thread-safe. An implementation must never log, store or
 * put into an exception message the password it is given, and should take about the same time
 * whether or not the user exists, so that timing does not tell which names are valid.
 */
public interface UserStore {

    /**
     * Whether {@code password} is the password of {@code username}. Unknown users, locked or malformed
     * entries and any internal problem all answer {@code false}.
     *
     * @param username the authentication identity as the client sent it (case-sensitive)
     * @param password the password as the client sent it
     */
    boolean authenticate(String username, String password);
}
