package dev.crossway.proxy.shm;

import dev.crossway.proxy.GuestMemory;
import java.util.Arrays;

/**
 * A set of pixels as a short list of rectangles that do not overlap, in buffer coordinates: enough to
 * say which parts of a buffer changed, and to copy each changed pixel once. Adding a rectangle drops
 * those it contains, merges it with one that forms a rectangle together with it, and adds only its
 * parts not yet covered; past {@link #MAX_RECTS} rectangles the whole region collapses to its bounding
 * box: a little extra copying is cheaper than exact geometry.
 *
 * <p>Not thread-safe; one region belongs to one relay thread. Adding allocates nothing once warm.
 */
public final class Region implements GuestMemory.Rectangles {
    /** Above this many rectangles, a region becomes its bounding box. */
    public static final int MAX_RECTS = 16;

    // x, y, width, height per rectangle; width and height are always > 0.
    private int[] rects = new int[4 * 4];
    private int count;
    /** Pieces of a rectangle being added, as x1, y1, x2, y2 (longs: x + width may pass Integer.MAX_VALUE). */
    private long[] pieces = new long[4 * 8];

    /** Number of rectangles. */
    @Override
    public int size() {
        return count;
    }

    public boolean isEmpty() {
        return count == 0;
    }

    @Override
    public int x(int i) {
        return rects[4 * i];
    }

    @Override
    public int y(int i) {
        return rects[4 * i + 1];
    }

    @Override
    public int width(int i) {
        return rects[4 * i + 2];
    }

    @Override
    public int height(int i) {
        return rects[4 * i + 3];
    }

    public void clear() {
        count = 0;
    }

    /** Makes this region the rectangle {@code 0,0,width,height} (empty if either is not positive). */
    public void setFull(int width, int height) {
        count = 0;
        add(0, 0, width, height);
    }

    /** Adds a rectangle; one with no area is ignored. */
    public void add(int x, int y, int width, int height) {
        if (width <= 0 || height <= 0) {
            return;
        }
        long x2 = (long) x + width;
        long y2 = (long) y + height;
        for (int i = 0; i < count; i++) {
            int ox = rects[4 * i];
            int oy = rects[4 * i + 1];
            long ox2 = (long) ox + rects[4 * i + 2];
            long oy2 = (long) oy + rects[4 * i + 3];
            if (ox <= x && oy <= y && ox2 >= x2 && oy2 >= y2) {
                return; // already covered
            }
        }
        // Drop rectangles the new one covers, and grow the new one by any it forms a rectangle with.
        boolean merged = true;
        while (merged) {
            merged = false;
            for (int i = 0; i < count; i++) {
                int ox = rects[4 * i];
                int oy = rects[4 * i + 1];
                long ox2 = (long) ox + rects[4 * i + 2];
                long oy2 = (long) oy + rects[4 * i + 3];
                boolean covered = x <= ox && y <= oy && x2 >= ox2 && y2 >= oy2;
                boolean sameColumns = ox == x && ox2 == x2 && oy <= y2 && oy2 >= y;
                boolean sameRows = oy == y && oy2 == y2 && ox <= x2 && ox2 >= x;
                if (covered || sameColumns || sameRows) {
                    long nx = Math.min(x, ox);
                    long ny = Math.min(y, oy);
                    x2 = Math.max(x2, ox2);
                    y2 = Math.max(y2, oy2);
                    x = (int) nx;
                    y = (int) ny;
                    remove(i);
                    merged = true;
                    break;
                }
            }
        }
        // What the existing rectangles do not cover yet, in pieces.
        pieces[0] = x;
        pieces[1] = y;
        pieces[2] = x2;
        pieces[3] = y2;
        int n = 1;
        for (int i = 0; i < count && n > 0; i++) {
            n = subtract(n, rects[4 * i], rects[4 * i + 1], (long) rects[4 * i] + rects[4 * i + 2], (long) rects[4 * i + 1] + rects[4 * i + 3]);
        }
        if (count + n > MAX_RECTS) {
            collapse(x, y, x2, y2);
            return;
        }
        for (int p = 0; p < n; p++) {
            long px = pieces[4 * p];
            long py = pieces[4 * p + 1];
            append((int) px, (int) py, (int) Math.min(Integer.MAX_VALUE, pieces[4 * p + 2] - px),
                    (int) Math.min(Integer.MAX_VALUE, pieces[4 * p + 3] - py));
        }
    }

    /** Cuts rectangle {@code r} out of the first {@code n} pieces; returns how many pieces are left. */
    private int subtract(int n, long rx1, long ry1, long rx2, long ry2) {
        int out = n;
        for (int p = 0; p < n; p++) {
            long px1 = pieces[4 * p];
            long py1 = pieces[4 * p + 1];
            long px2 = pieces[4 * p + 2];
            long py2 = pieces[4 * p + 3];
            if (rx1 >= px2 || rx2 <= px1 || ry1 >= py2 || ry2 <= py1) {
                out = piece(out, px1, py1, px2, py2); // untouched
                continue;
            }
            long my1 = Math.max(py1, ry1);
            long my2 = Math.min(py2, ry2);
            if (ry1 > py1) {
                out = piece(out, px1, py1, px2, ry1); // above
            }
            if (ry2 < py2) {
                out = piece(out, px1, ry2, px2, py2); // below
            }
            if (rx1 > px1) {
                out = piece(out, px1, my1, rx1, my2); // left
            }
            if (rx2 < px2) {
                out = piece(out, rx2, my1, px2, my2); // right
            }
        }
        // The pieces made from the first n sit after them; move them to the front.
        System.arraycopy(pieces, 4 * n, pieces, 0, 4 * (out - n));
        return out - n;
    }

    private int piece(int at, long x1, long y1, long x2, long y2) {
        if (pieces.length < 4 * (at + 1)) {
            pieces = Arrays.copyOf(pieces, pieces.length * 2);
        }
        pieces[4 * at] = x1;
        pieces[4 * at + 1] = y1;
        pieces[4 * at + 2] = x2;
        pieces[4 * at + 3] = y2;
        return at + 1;
    }

    /** Adds every rectangle of {@code other}. */
    public void add(Region other) {
        for (int i = 0; i < other.count; i++) {
            add(other.x(i), other.y(i), other.width(i), other.height(i));
        }
    }

    /** Cuts every rectangle to {@code 0,0,width,height}. */
    public void clip(int width, int height) {
        int n = count;
        int[] old = Arrays.copyOf(rects, 4 * n);
        count = 0;
        for (int i = 0; i < n; i++) {
            long x1 = Math.max(0, old[4 * i]);
            long y1 = Math.max(0, old[4 * i + 1]);
            long x2 = Math.min(width, (long) old[4 * i] + old[4 * i + 2]);
            long y2 = Math.min(height, (long) old[4 * i + 1] + old[4 * i + 3]);
            if (x2 > x1 && y2 > y1) {
                add((int) x1, (int) y1, (int) (x2 - x1), (int) (y2 - y1));
            }
        }
    }

    /** The region's area in pixels. */
    public long area() {
        long a = 0;
        for (int i = 0; i < count; i++) {
            a += (long) rects[4 * i + 2] * rects[4 * i + 3];
        }
        return a;
    }

    /** True when pixel {@code x,y} is in the region. */
    public boolean contains(int x, int y) {
        for (int i = 0; i < count; i++) {
            if (x >= x(i) && y >= y(i) && x - x(i) < width(i) && y - y(i) < height(i)) {
                return true;
            }
        }
        return false;
    }

    private void collapse(long x1, long y1, long x2, long y2) {
        for (int i = 0; i < count; i++) {
            x1 = Math.min(x1, rects[4 * i]);
            y1 = Math.min(y1, rects[4 * i + 1]);
            x2 = Math.max(x2, (long) rects[4 * i] + rects[4 * i + 2]);
            y2 = Math.max(y2, (long) rects[4 * i + 1] + rects[4 * i + 3]);
        }
        count = 0;
        append((int) x1, (int) y1, (int) Math.min(Integer.MAX_VALUE, x2 - x1), (int) Math.min(Integer.MAX_VALUE, y2 - y1));
    }

    private void append(int x, int y, int width, int height) {
        if (rects.length < 4 * (count + 1)) {
            rects = Arrays.copyOf(rects, rects.length * 2);
        }
        rects[4 * count] = x;
        rects[4 * count + 1] = y;
        rects[4 * count + 2] = width;
        rects[4 * count + 3] = height;
        count++;
    }

    private void remove(int i) {
        System.arraycopy(rects, 4 * (i + 1), rects, 4 * i, 4 * (count - i - 1));
        count--;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Region[");
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(x(i)).append(',').append(y(i)).append(' ').append(width(i)).append('x').append(height(i));
        }
        return sb.append(']').toString();
    }
}
