package dev.crossway.app.logging;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.logging.Formatter;
import java.util.logging.Level;
import java.util.logging.LogRecord;

/**
 * One log record as text. On a terminal: {@code 12:34:56.789 [INFO] Daemon - listening on ...}. For the
 * journal: {@code <6>Daemon - listening on ...}, the syslog priority in front of every line (a stack
 * trace's too, since journald reads each line on its own) and no timestamp (the journal keeps its own).
 */
final class LogLine extends Formatter {
    private final boolean journal;
    private final ZoneId zone = ZoneId.systemDefault();

    LogLine(boolean journal) {
        this.journal = journal;
    }

    @Override
    public String format(LogRecord record) {
        StringBuilder sb = new StringBuilder(128);
        String prefix = journal ? "<" + priority(record.getLevel()) + ">" : "";
        sb.append(prefix);
        if (!journal) {
            LocalTime t = LocalTime.ofInstant(record.getInstant(), zone);
            pad(sb, t.getHour(), 2).append(':');
            pad(sb, t.getMinute(), 2).append(':');
            pad(sb, t.getSecond(), 2).append('.');
            pad(sb, t.getNano() / 1_000_000, 3).append(" [").append(name(record.getLevel())).append("] ");
        }
        sb.append(shortName(record.getLoggerName())).append(" - ").append(formatMessage(record)).append('\n');
        if (record.getThrown() != null) {
            StringWriter trace = new StringWriter();
            record.getThrown().printStackTrace(new PrintWriter(trace));
            trace.toString().lines().forEach(line -> sb.append(prefix).append(line).append('\n'));
        }
        return sb.toString();
    }

    /** syslog priorities (sd-daemon.h): 3 err, 4 warning, 6 info, 7 debug. */
    static int priority(Level level) {
        int v = level.intValue();
        return v >= Level.SEVERE.intValue() ? 3 : v >= Level.WARNING.intValue() ? 4 : v >= Level.INFO.intValue() ? 6 : 7;
    }

    /** slf4j's level names, as the lines looked before (and as people grep for them). */
    static String name(Level level) {
        int v = level.intValue();
        return v >= Level.SEVERE.intValue() ? "ERROR" : v >= Level.WARNING.intValue() ? "WARN"
                : v >= Level.INFO.intValue() ? "INFO" : v >= Level.FINE.intValue() ? "DEBUG" : "TRACE";
    }

    private static String shortName(String logger) {
        if (logger == null) {
            return "";
        }
        int dot = logger.lastIndexOf('.');
        return dot < 0 ? logger : logger.substring(dot + 1);
    }

    private static StringBuilder pad(StringBuilder sb, int value, int width) {
        String s = Integer.toString(value);
        for (int i = s.length(); i < width; i++) {
            sb.append('0');
        }
        return sb.append(s);
    }
}
