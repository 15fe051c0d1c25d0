package dev.moat.filter.testkit;

import java.text.MessageFormat;
import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * The {@link System.Logger} the harness hands a filter: it keeps every line (level and formatted
 * text, with the throwable's toString) for {@link FilterHarness#logLines()}, and passes it on to
 * the real logger of that name.
 */
final class RecordingLogger implements System.Logger {

    private final System.Logger delegate;
    private final List<String> lines = new CopyOnWriteArrayList<>();

    RecordingLogger(String name) {
        this.delegate = System.getLogger(name);
    }

    List<String> lines() {
        return List.copyOf(lines);
    }

    @Override
    public String getName() {
        return delegate.getName();
    }

    @Override
    public boolean isLoggable(Level level) {
        return true; // record everything, whatever the real logger's level
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
        lines.add(level + " " + msg + (thrown == null ? "" : " " + thrown));
        delegate.log(level, bundle, msg, thrown);
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String format, Object... params) {
        String text = params == null || params.length == 0 ? format : MessageFormat.format(format, params);
        lines.add(level + " " + text);
        delegate.log(level, bundle, format, params);
    }

    @Override
    public void log(Level level, Supplier<String> supplier) {
        String text = supplier.get();
        lines.add(level + " " + text);
        delegate.log(level, text);
    }
}
