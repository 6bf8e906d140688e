package dev.crossway.proxy.shm;

/**
 * A surface's {@code wp_viewport} state: the source rectangle (in buffer coordinates after
 * buffer_transform and buffer_scale, as {@code wl_fixed} values converted to double) and the
 * destination size in surface coordinates. A source width of -1 means no source; a destination
 * width of -1 means no destination.
 */
public record Viewport(double srcX, double srcY, double srcWidth, double srcHeight, int dstWidth, int dstHeight) {
    /** No viewport, or one with nothing set. */
    public static final Viewport NONE = new Viewport(-1, -1, -1, -1, -1, -1);

    public boolean hasSource() {
        return srcWidth != -1;
    }

    public boolean hasDestination() {
        return dstWidth != -1;
    }

    public Viewport withSource(double x, double y, double width, double height) {
        return new Viewport(x, y, width, height, dstWidth, dstHeight);
    }

    public Viewport withDestination(int width, int height) {
        return new Viewport(srcX, srcY, srcWidth, srcHeight, width, height);
    }
}
