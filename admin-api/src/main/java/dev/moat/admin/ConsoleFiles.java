package dev.moat.admin;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.Optional;

/**
 * The web console's static files, served from this jar's resources ({@code dev/moat/admin/console/}).
 * Only the files listed here exist, so a path can never reach another resource. They hold no data
 * (everything comes from the API, with the token), so they are served without the token.
 */
final class ConsoleFiles {

    /**
     * For the console page: scripts and styles only from the admin server itself, API calls only to
     * it, images only inline, never framed. A message's HTML is shown in a sandboxed {@code srcdoc}
     * iframe, which inherits this policy (so it cannot load remote content either) and adds its own.
     */
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            + "img-src 'self' data:; font-src data:; connect-src 'self'; frame-src 'self'; "
            + "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

    private static final Map<String, String> TYPES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "console.js", "text/javascript; charset=utf-8",
            "console.css", "text/css; charset=utf-8");

    /** A file's bytes and content type. */
    record File(String contentType, byte[] bytes) {
    }

    private ConsoleFiles() {
    }

    /** The file for the path after {@code /console/} ({@code ""} is the page); empty if there is none. */
    static Optional<File> find(String name) throws IOException {
        String file = name.isEmpty() ? "index.html" : name;
        String type = TYPES.get(file);
        if (type == null) {
            return Optional.empty();
        }
        try (InputStream in = ConsoleFiles.class.getResourceAsStream("console/" + file)) {
            if (in == null) {
                throw new IOException("console file " + file + " is missing from the admin-api jar");
            }
            return Optional.of(new File(type, in.readAllBytes()));
        }
    }
}
