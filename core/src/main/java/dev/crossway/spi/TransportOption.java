package dev.crossway.spi;

/**
 * One setting a transport reads: what a provider lists in {@link TransportProvider#options()}. Data
 * only, so the command line and the configuration checks need not know any transport.
 *
 * @param key         the key under {@code crossway.transports.<name>}, e.g. {@code device}
 * @param flag        a command-line flag that sets it, e.g. {@code --drm-device}, or null for config only
 * @param label       what the value is, for {@code --help}, e.g. {@code PATH}
 * @param description one line: what it does and its default
 */
public record TransportOption(String key, String flag, String label, String description) {
    public TransportOption {
        if (key == null || key.isEmpty() || label == null || description == null) {
            throw new IllegalArgumentException("a transport option needs a key, a label and a description");
        }
        if (flag != null && !flag.startsWith("--")) {
            throw new IllegalArgumentException("flag of transport option " + key + " must start with --, was " + flag);
        }
    }
}
