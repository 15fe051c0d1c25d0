package dev.moat.examples.subjecttag;

import dev.moat.filter.DataContext;
import dev.moat.filter.Filter;
import dev.moat.filter.FilterMetrics;
import dev.moat.filter.Header;
import dev.moat.filter.Verdict;
import java.io.IOException;
import java.util.List;

/**
 * Puts a tag in front of the Subject of every message from outside: {@code Subject: Invoice}
 * becomes {@code Subject: [EXTERNAL] Invoice}. A message already carrying the tag (a reply to a
 * tagged message) is left alone, so tags never pile up. Mail from authenticated users is internal
 * and, by default, not tagged. The filter never refuses anything: its verdict is always next.
 *
 * <p>Immutable, so one instance serves every connection at once without locks.
 */
final class SubjectTagFilter implements Filter {

    private final String tag;
    private final boolean skipAuthenticated;
    private final boolean addHeader;
    private final FilterMetrics metrics;
    private final System.Logger log;

    SubjectTagFilter(String tag, boolean skipAuthenticated, boolean addHeader, FilterMetrics metrics, System.Logger log) {
        this.tag = tag;
        this.skipAuthenticated = skipAuthenticated;
        this.addHeader = addHeader;
        this.metrics = metrics;
        this.log = log;
    }

    @Override
    public Verdict data(DataContext context) throws IOException {
        if (skipAuthenticated && context.session().authenticatedUser().isPresent()) {
            metrics.count("skipped", "reason", "authenticated");
            return Verdict.next();
        }
        List<Header> subjects = context.message().headers("Subject");
        String subject = subjects.isEmpty() ? "" : subjects.get(0).value();
        if (subject.contains(tag)) {
            metrics.count("skipped", "reason", "already-tagged");
            return Verdict.next();
        }
        // replace() removes every Subject field and adds one at the top of the header.
        context.headers().replace(new Header("Subject", subject.isBlank() ? tag : tag + " " + subject));
        if (addHeader) {
            context.headers().add(new Header("X-Subject-Tag", "added"));
        }
        metrics.count("tagged");
        log.log(System.Logger.Level.DEBUG, "tagged the subject of a message in session {0}", context.session().id());
        return Verdict.next();
    }

    @Override
    public String toString() {
        return "subject-tag[" + tag + "]";
    }
}
