package dev.crossway.app.logging;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossway.linux.Fds;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class LogLineTest {
    private static LogRecord record(Level level, String message, Throwable thrown) {
        LogRecord r = new LogRecord(level, message);
        r.setLoggerName("dev.crossway.app.Daemon");
        r.setThrown(thrown);
        return r;
    }

    @Test
    void onATerminalALineHasTimeLevelAndShortLoggerName() {
        String line = new LogLine(false).format(record(Level.WARNING, "accepting a client failed", null));
        assertThat(line).matches("\\d\\d:\\d\\d:\\d\\d\\.\\d\\d\\d \\[WARN\\] Daemon - accepting a client failed\n");
    }

    @Test
    void forTheJournalEveryLineCarriesThePriorityAndNoTimestamp() {
        String line = new LogLine(true).format(record(Level.INFO, "listening on /run/user/0/wayland-0", null));
        assertThat(line).isEqualTo("<6>Daemon - listening on /run/user/0/wayland-0\n");
        String withTrace = new LogLine(true).format(record(Level.SEVERE, "relay failed", new IllegalStateException("boom")));
        assertThat(withTrace.lines()).allMatch(l -> l.startsWith("<3>")).hasSizeGreaterThan(2);
        assertThat(withTrace).contains("<3>java.lang.IllegalStateException: boom");
    }

    @Test
    void prioritiesFollowSyslog() {
        assertThat(LogLine.priority(Level.SEVERE)).isEqualTo(3);
        assertThat(LogLine.priority(Level.WARNING)).isEqualTo(4);
        assertThat(LogLine.priority(Level.INFO)).isEqualTo(6);
        assertThat(LogLine.priority(Level.FINE)).isEqualTo(7);
        assertThat(LogLine.priority(Level.FINEST)).isEqualTo(7);
    }

    @Test
    void journalStreamCountsOnlyWhenItIsOurStandardError() throws Exception {
        assertThat(Logging.isJournal(null)).isFalse();
        assertThat(Logging.isJournal("0:0")).isFalse();
        Fds.Stat stderr = Fds.stat(2);
        assertThat(Logging.isJournal(stderr.dev() + ":" + stderr.ino())).isTrue();
    }
}
