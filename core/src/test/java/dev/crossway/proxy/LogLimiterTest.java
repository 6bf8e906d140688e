package dev.crossway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/** A burst of lines becomes a few lines and one summary. */
class LogLimiterTest {

    /** Keeps what is logged. */
    static final class Captured extends LegacyAbstractLogger {
        private static final long serialVersionUID = 1L;
        final List<String> lines = new CopyOnWriteArrayList<>();

        @Override
        protected String getFullyQualifiedCallerName() {
            return null;
        }

        @Override
        protected void handleNormalizedLoggingCall(Level level, Marker marker, String pattern, Object[] args, Throwable t) {
            lines.add(level + " " + MessageFormatter.basicArrayFormat(pattern, args));
        }

        @Override
        public boolean isTraceEnabled() {
            return true;
        }

        @Override
        public boolean isDebugEnabled() {
            return true;
        }

        @Override
        public boolean isInfoEnabled() {
            return true;
        }

        @Override
        public boolean isWarnEnabled() {
            return true;
        }

        @Override
        public boolean isErrorEnabled() {
            return true;
        }
    }

    @Test
    void aBurstIsCutToItsLimitAndSummarisedOnceTheWindowEnds() throws Exception {
        Captured log = new Captured();
        LogLimiter limiter = new LogLimiter(log, "protocol errors", "clients", 3, Duration.ofSeconds(2));
        int allowed = 0;
        for (int client = 1; client <= 1237; client++) {
            if (limiter.allow(client)) {
                allowed++;
            }
        }
        assertThat(allowed).isEqualTo(3);
        assertThat(limiter.suppressed()).isEqualTo(1234);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (log.lines.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(log.lines).containsExactly("WARN 1,234 more protocol errors suppressed in the last 2 s (clients 4 to 1237)");
        assertThat(limiter.allow(2000)).as("a new window starts with a fresh burst").isTrue();
    }
}
