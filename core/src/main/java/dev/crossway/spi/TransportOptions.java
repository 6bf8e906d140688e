package dev.crossway.spi;

/**
 * Settings handed to a transport: the keys under {@code crossway.transports.<name>} plus the general
 * ones a transport may need ({@code host-display}, {@code memory}). A plain string lookup, so the SPI
 * does not depend on any configuration library.
 */
@FunctionalInterface
public interface TransportOptions {

    /** The value of {@code key}, or null when unset. */
    String get(String key);

    default String get(String key, String fallback) {
        String v = get(key);
        return v == null ? fallback : v;
    }
}
