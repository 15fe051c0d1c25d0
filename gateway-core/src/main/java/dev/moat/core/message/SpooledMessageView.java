package dev.moat.core.message;

import dev.moat.filter.Header;
import dev.moat.filter.MessageView;
import dev.moat.filter.MimePart;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The filters' view of a spooled message. Headers and the MIME walk are computed on first use and
 * then kept, so several filters share one parse. Used by one session thread at a time.
 */
public final class SpooledMessageView implements MessageView {

    /** Header fields beyond this count are not listed (they are still delivered). */
    static final int MAX_HEADERS = 10_000;

    private final SpooledMessage message;
    private List<Header> headers;
    private List<MimePart> parts;

    public SpooledMessageView(SpooledMessage message) {
        this.message = message;
    }

    @Override
    public long size() {
        return message.size();
    }

    @Override
    public List<Header> headers() throws IOException {
        if (headers == null) {
            List<Header> list = new ArrayList<>();
            try (InputStream in = buffered(16 * 1024)) {
                HeaderReader reader = new HeaderReader(in);
                for (HeaderReader.RawField field = reader.next(); field != null && list.size() < MAX_HEADERS;
                        field = reader.next()) {
                    list.add(field.toHeader());
                }
            }
            headers = List.copyOf(list);
        }
        return headers;
    }

    @Override
    public InputStream openStream() throws IOException {
        return message.openStream();
    }

    @Override
    public List<MimePart> parts() throws IOException {
        if (parts == null) {
            try (InputStream in = buffered(64 * 1024)) {
                parts = MimeWalker.walk(in);
            }
        }
        return parts;
    }

    /** A file-backed message gets a read buffer; one in memory is read as it is, without a copy. */
    private InputStream buffered(int bufferSize) throws IOException {
        InputStream in = message.openStream();
        return in instanceof ByteArrayInputStream ? in : new BufferedInputStream(in, bufferSize);
    }
}
