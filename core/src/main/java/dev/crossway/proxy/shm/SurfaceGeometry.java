package dev.crossway.proxy.shm;

/**
 * How a surface shows its buffer: the buffer's size, {@code buffer_scale}, {@code buffer_transform}
 * and viewport. Converts {@code wl_surface.damage} (surface coordinates) into buffer coordinates the
 * way a compositor does (weston's {@code weston_surface_to_buffer_rect}): viewport first, then the
 * transform, then the scale, rounding outwards and clipping to the buffer.
 *
 * @param transform a {@code wl_output.transform} value, 0 to 7
 */
public record SurfaceGeometry(int bufferWidth, int bufferHeight, int scale, int transform, Viewport viewport) {

    public SurfaceGeometry {
        if (scale < 1) {
            throw new IllegalArgumentException("buffer scale must be at least 1, was " + scale);
        }
        if (transform < 0 || transform > 7) {
            throw new IllegalArgumentException("buffer transform must be 0..7, was " + transform);
        }
    }

    /** True for the transforms that swap width and height (90 and 270, flipped or not). */
    public static boolean swapsAxes(int transform) {
        return (transform & 1) != 0;
    }

    /** The surface's width before the viewport: the buffer's, transformed and divided by the scale. */
    double unviewedWidth() {
        return (double) (swapsAxes(transform) ? bufferHeight : bufferWidth) / scale;
    }

    double unviewedHeight() {
        return (double) (swapsAxes(transform) ? bufferWidth : bufferHeight) / scale;
    }

    /**
     * Adds the buffer pixels covered by surface rectangle {@code x,y,width,height} to {@code out},
     * clipped to the buffer. A rectangle with no area adds nothing.
     */
    public void surfaceToBuffer(int x, int y, int width, int height, Region out) {
        if (width <= 0 || height <= 0) {
            return;
        }
        if (scale == 1 && transform == 0 && viewport == Viewport.NONE) {
            addClipped(x, y, (double) x + width, (double) y + height, out); // the common case, without garbage
            return;
        }
        double x1 = x;
        double y1 = y;
        double x2 = (double) x + width;
        double y2 = (double) y + height;
        double sw = unviewedWidth();
        double sh = unviewedHeight();
        if (viewport.hasSource() || viewport.hasDestination()) {
            double srcX = viewport.hasSource() ? viewport.srcX() : 0;
            double srcY = viewport.hasSource() ? viewport.srcY() : 0;
            double srcW = viewport.hasSource() ? viewport.srcWidth() : sw;
            double srcH = viewport.hasSource() ? viewport.srcHeight() : sh;
            double dstW = viewport.hasDestination() ? viewport.dstWidth() : srcW;
            double dstH = viewport.hasDestination() ? viewport.dstHeight() : srcH;
            if (dstW <= 0 || dstH <= 0) {
                return;
            }
            x1 = srcX + x1 * srcW / dstW;
            x2 = srcX + x2 * srcW / dstW;
            y1 = srcY + y1 * srcH / dstH;
            y2 = srcY + y2 * srcH / dstH;
        }
        double[] a = transformed(x1, y1, sw, sh);
        double[] b = transformed(x2, y2, sw, sh);
        double bx1 = Math.min(a[0], b[0]) * scale;
        double by1 = Math.min(a[1], b[1]) * scale;
        double bx2 = Math.max(a[0], b[0]) * scale;
        double by2 = Math.max(a[1], b[1]) * scale;
        addClipped(Math.floor(bx1), Math.floor(by1), Math.ceil(bx2), Math.ceil(by2), out);
    }

    /** Adds buffer rectangle {@code x,y,width,height} ({@code wl_surface.damage_buffer}), clipped. */
    public void bufferToBuffer(int x, int y, int width, int height, Region out) {
        if (width <= 0 || height <= 0) {
            return;
        }
        addClipped(x, y, (double) x + width, (double) y + height, out);
    }

    private void addClipped(double x1, double y1, double x2, double y2, Region out) {
        int cx1 = (int) Math.max(0, x1);
        int cy1 = (int) Math.max(0, y1);
        int cx2 = (int) Math.min(bufferWidth, x2);
        int cy2 = (int) Math.min(bufferHeight, y2);
        if (cx2 > cx1 && cy2 > cy1) {
            out.add(cx1, cy1, cx2 - cx1, cy2 - cy1);
        }
    }

    /** A point in unscaled surface coordinates to unscaled buffer coordinates (weston_transformed_coord). */
    private double[] transformed(double sx, double sy, double width, double height) {
        return switch (transform) {
            case 1 -> new double[] {sy, width - sx};            // 90
            case 2 -> new double[] {width - sx, height - sy};   // 180
            case 3 -> new double[] {height - sy, sx};           // 270
            case 4 -> new double[] {width - sx, sy};            // flipped
            case 5 -> new double[] {sy, sx};                    // flipped-90
            case 6 -> new double[] {sx, height - sy};           // flipped-180
            case 7 -> new double[] {height - sy, width - sx};   // flipped-270
            default -> new double[] {sx, sy};                   // normal
        };
    }
}
