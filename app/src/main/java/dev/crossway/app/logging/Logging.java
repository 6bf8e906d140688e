package dev.crossway.app.logging;

import dev.crossway.linux.Fds;
import dev.crossway.linux.LinuxException;
import java.io.PrintStream;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Sets up logging: slf4j over {@code java.util.logging} (slf4j-jdk14), with one handler that writes
 * {@link LogLine}s to standard error. Chosen over logback, which cost about 140 ms more CPU to socket-ready
 * and 4 MB more RSS (logback 1.5.18 with a one-appender logback.xml, same start path, nine interleaved
 * starts; slf4j-jdk14 cost the same as slf4j-simple), and over slf4j-simple, which cannot write
 * journald's priority prefixes.
 *
 * <p>Under systemd, when {@code JOURNAL_STREAM} names the standard error Crossway was given, lines carry
 * syslog priorities ({@code <3>}) and no timestamps, since the journal adds its own.
 */
public final class Logging {
    /** The logger relayed messages go to when tracing ({@code --trace}). */
    public static final String TRACE_LOGGER = "crossway.trace";

    // Held here: java.util.logging keeps loggers only weakly, and would forget the levels set on them.
    private static final Logger CROSSWAY = Logger.getLogger("dev.crossway");
    private static final Logger TRACE = Logger.getLogger(TRACE_LOGGER);

    private Logging() {
    }

    /**
     * @param level error, warn, info, debug or trace
     * @param trace whether relayed messages are logged (at info, whatever the level)
     */
    public static void configure(String level, boolean trace, Map<String, String> env) {
        LogManager.getLogManager().reset();
        Level julLevel = julLevel(level);
        Logger root = Logger.getLogger("");
        // Libraries (Guice, jnr) say at debug level what only their authors need: -v is about Crossway.
        root.setLevel(julLevel.intValue() < Level.INFO.intValue() ? Level.INFO : julLevel);
        root.addHandler(new StandardErrorHandler(new LogLine(isJournal(env.get("JOURNAL_STREAM")))));
        CROSSWAY.setLevel(julLevel);
        TRACE.setLevel(trace ? Level.INFO : julLevel);
    }


    /** slf4j-jdk14's mapping: trace FINEST, debug FINE, info INFO, warn WARNING, error SEVERE. */
    static Level julLevel(String level) {
        return switch (level) {
            case "error" -> Level.SEVERE;
            case "warn" -> Level.WARNING;
            case "debug" -> Level.FINE;
            case "trace" -> Level.FINEST;
            default -> Level.INFO;
        };
    }

    /**
     * Whether standard error is the journal stream systemd describes in {@code JOURNAL_STREAM}
     * ({@code DEVICE:INODE}); a child that inherited the variable but writes elsewhere is not.
     */
    static boolean isJournal(String journalStream) {
        if (journalStream == null || journalStream.isEmpty()) {
            return false;
        }
        try {
            Fds.Stat stderr = Fds.stat(2);
            return journalStream.equals(Long.toUnsignedString(stderr.dev()) + ":" + Long.toUnsignedString(stderr.ino()));
        } catch (LinuxException | RuntimeException e) {
            return false;
        }
    }

    /** Writes each record as one {@link LogLine} (several lines for a stack trace) to System.err. */
    private static final class StandardErrorHandler extends Handler {
        private final LogLine format;
        private final PrintStream out = System.err;

        StandardErrorHandler(LogLine format) {
            this.format = format;
            setLevel(Level.ALL);
        }

        @Override
        public void publish(LogRecord record) {
            if (isLoggable(record)) {
                out.print(format.format(record));
                out.flush();
            }
        }

        @Override
        public void flush() {
            out.flush();
        }

        @Override
        public void close() {
            flush();
        }
    }
}
