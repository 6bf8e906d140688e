package dev.crossway.wire;

/** {@code wl_fixed_t}: a signed 24.8 fixed-point number on the wire. */
public final class Fixed {
    private Fixed() {
    }

    public static double toDouble(int raw) {
        return raw / 256.0;
    }

    public static int fromDouble(double value) {
        return (int) Math.round(value * 256.0);
    }
}
