package dev.moat.core.message;

import java.io.OutputStream;

/** Small stream helpers shared by the message classes. */
final class OutputStreams {

    /** Counts nothing, keeps nothing: for measuring a stream by draining it. */
    static final OutputStream NULL = OutputStream.nullOutputStream();

    private OutputStreams() {
    }
}
