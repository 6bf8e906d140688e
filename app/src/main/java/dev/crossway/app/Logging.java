package dev.crossway.app;

/**
 * Configures slf4j-simple through its system properties; must run before the first logger is made.
 */
final class Logging {
    private Logging() {
    }

    static void configure(String level, boolean trace) {
        set("org.slf4j.simpleLogger.logFile", "System.err");
        set("org.slf4j.simpleLogger.defaultLogLevel", level);
        set("org.slf4j.simpleLogger.showDateTime", "true");
        set("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
        set("org.slf4j.simpleLogger.showThreadName", "false");
        set("org.slf4j.simpleLogger.showShortLogName", "true");
        set("org.slf4j.simpleLogger.levelInBrackets", "true");
        if (trace) {
            set("org.slf4j.simpleLogger.log.crossway.trace", "info");
        }
    }

    private static void set(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }
}
