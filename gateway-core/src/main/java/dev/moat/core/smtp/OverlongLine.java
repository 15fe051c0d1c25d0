package dev.moat.core.smtp;

/**
 * Stands in for a line longer than the framer's hard limit: its bytes were discarded as they came
 * (memory stays bounded), and the session side answers for it (a command: 500 5.5.2; in DATA: the
 * transaction fails at end of data), so the dialogue stays in step and nothing is dropped silently.
 */
final class OverlongLine {

    static final OverlongLine ENDED_BY_CRLF = new OverlongLine(true);
    static final OverlongLine ENDED_BY_LF = new OverlongLine(false);

    /** Whether the discarded line ended with CRLF (so a following "." line may end DATA). */
    final boolean endedByCrlf;

    private OverlongLine(boolean endedByCrlf) {
        this.endedByCrlf = endedByCrlf;
    }

    @Override
    public String toString() {
        return endedByCrlf ? "OverlongLine(CRLF)" : "OverlongLine(LF)";
    }
}
