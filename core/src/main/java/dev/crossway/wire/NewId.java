package dev.crossway.wire;

/**
 * The value of an untyped {@code new_id} argument (as in {@code wl_registry.bind}), which carries
 * the interface name and version on the wire before the id.
 */
public record NewId(String interfaceName, int version, int id) {
}
