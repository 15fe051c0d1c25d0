package dev.moat.core.auth;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Users and password hashes from a Dovecot passwd-file style file: one {@code user:{SCHEME}hash} per
 * line (further {@code :}-separated fields, as Dovecot allows, are ignored), {@code #} comments and
 * blank lines skipped. Reloaded when it changes ({@link ReloadingFile}). Unknown users cost one hash
 * computation like known ones, against the first user's hash, so response time does not reveal
 * which names exist.
 */
public final class PasswordFileUserStore implements UserStore {

    private record Users(Map<String, PasswordHash> hashes, PasswordHash decoy) {
    }

    private final ReloadingFile<Users> file;

    /**
     * @throws IllegalArgumentException when the file cannot be read or has a bad line (named by number)
     */
    public PasswordFileUserStore(Path path, Duration reloadInterval, LongSupplier nanoTime) {
        this.file = new ReloadingFile<>(path, reloadInterval, PasswordFileUserStore::parse, nanoTime);
    }

    public PasswordFileUserStore(Path path, Duration reloadInterval) {
        this(path, reloadInterval, System::nanoTime);
    }

    private static Users parse(List<String> lines) {
        Map<String, PasswordHash> hashes = new HashMap<>();
        PasswordHash decoy = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException("line " + (i + 1) + ": expected user:{SCHEME}hash");
            }
            String user = line.substring(0, colon);
            String rest = line.substring(colon + 1);
            int end = rest.indexOf(':');
            String stored = end < 0 ? rest : rest.substring(0, end);
            PasswordHash hash;
            try {
                hash = PasswordHash.parse(stored);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("line " + (i + 1) + " (user '" + user + "'): " + e.getMessage());
            }
            if (hashes.putIfAbsent(user, hash) != null) {
                throw new IllegalArgumentException("line " + (i + 1) + ": user '" + user + "' is listed twice");
            }
            if (decoy == null) {
                decoy = hash;
            }
        }
        return new Users(Map.copyOf(hashes), decoy);
    }

    @Override
    public boolean authenticate(String username, String password) {
        Users users = file.get();
        PasswordHash hash = users.hashes().get(username);
        if (hash == null) {
            if (users.decoy() != null) {
                users.decoy().verify(password);
            }
            return false;
        }
        return hash.verify(password);
    }

    /** How many users the file holds now. */
    public int size() {
        return file.get().hashes().size();
    }
}
