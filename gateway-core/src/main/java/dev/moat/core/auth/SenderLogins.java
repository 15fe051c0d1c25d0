package dev.moat.core.auth;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Which sender addresses each authenticated user may use (Postfix {@code smtpd_sender_login_maps},
 * seen from the user's side). The file has one user per line: {@code alice: alice@example.com,
 * @example.org} — an address allows exactly that address, {@code @domain} every address of the
 * domain; {@code #} comments and blank lines are skipped; addresses compare case-insensitively.
 * Without a file, a user may only use their login name as the address. The null sender ({@code <>})
 * is always allowed: it cannot be used to impersonate anyone. Reloaded when the file changes.
 */
public final class SenderLogins {

    private final Optional<ReloadingFile<Map<String, Set<String>>>> file;

    private SenderLogins(Optional<ReloadingFile<Map<String, Set<String>>>> file) {
        this.file = file;
    }

    /** Users may send as their login name only. */
    public static SenderLogins loginNameOnly() {
        return new SenderLogins(Optional.empty());
    }

    /**
     * @throws IllegalArgumentException when the file cannot be read or has a bad line (named by number)
     */
    public static SenderLogins fromFile(Path path, Duration reloadInterval, LongSupplier nanoTime) {
        return new SenderLogins(Optional.of(new ReloadingFile<>(path, reloadInterval, SenderLogins::parse, nanoTime)));
    }

    private static Map<String, Set<String>> parse(List<String> lines) {
        Map<String, Set<String>> map = new HashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("line " + (i + 1) + ": expected 'user: address, @domain, ...'");
            }
            String user = line.substring(0, colon).strip();
            Set<String> allowed = new HashSet<>();
            for (String item : line.substring(colon + 1).split("[,\\s]+")) {
                String entry = item.strip().toLowerCase(Locale.ROOT);
                if (entry.isEmpty()) {
                    continue;
                }
                int at = entry.indexOf('@');
                if (at < 0 || at != entry.lastIndexOf('@') || at == entry.length() - 1) {
                    throw new IllegalArgumentException("line " + (i + 1) + ": '" + item.strip()
                            + "' is neither an address (user@example.com) nor a domain (@example.com)");
                }
                allowed.add(entry);
            }
            if (allowed.isEmpty()) {
                throw new IllegalArgumentException("line " + (i + 1) + ": user '" + user + "' has no addresses");
            }
            if (map.putIfAbsent(user, Set.copyOf(allowed)) != null) {
                throw new IllegalArgumentException("line " + (i + 1) + ": user '" + user + "' is listed twice");
            }
        }
        return Map.copyOf(map);
    }

    /**
     * Whether {@code user} may use {@code address} as sender.
     *
     * @param address the sender address ({@code local@domain}); empty for the null sender
     */
    public boolean allows(String user, Optional<String> address) {
        if (address.isEmpty()) {
            return true;
        }
        String sender = address.get().toLowerCase(Locale.ROOT);
        if (file.isEmpty()) {
            return sender.equals(user.toLowerCase(Locale.ROOT));
        }
        Set<String> allowed = file.get().get().get(user);
        if (allowed == null) {
            return false;
        }
        int at = sender.lastIndexOf('@');
        return allowed.contains(sender) || (at >= 0 && allowed.contains(sender.substring(at)));
    }
}
