package dev.crossway.testsuite.client;

import java.util.Random;

/**
 * A known picture that changes a little every frame, so a test can compute what the screen must show
 * after a client drew it through Crossway: a gradient, then each frame one rectangle of new colour (seeded,
 * so the client and the test replay the same frames). With {@code resize} the window goes through three
 * sizes, each first frame at a new size drawn whole.
 */
public final class Scene {
    public static final int FRAMES = 30;
    private static final int[][] ONE_SIZE = {{160, 120}};
    private static final int[][] THREE_SIZES = {{120, 90}, {200, 150}, {160, 120}};

    /** One frame: the window's size, the rectangle {@code x, y, w, h} it changed, and whether to declare it as buffer damage. */
    public record Frame(int width, int height, int[] damage, boolean bufferDamage) {
    }

    private final int[][] sizes;
    private final Random random;
    private int frame;
    private int width;
    private int height;
    private int[] pixels;

    public Scene(long seed, boolean resize) {
        this.sizes = resize ? THREE_SIZES : ONE_SIZE;
        this.random = new Random(seed);
    }

    /** The picture after every frame, {@code 0xRRGGBB} per pixel, row by row. */
    public static Scene replayed(long seed, boolean resize) {
        Scene s = new Scene(seed, resize);
        while (s.hasNext()) {
            s.next();
        }
        return s;
    }

    public boolean hasNext() {
        return frame < FRAMES;
    }

    /** Advances the picture by one frame. */
    public Frame next() {
        int[] size = sizes[frame * sizes.length / FRAMES];
        int[] rect;
        if (size[0] != width || size[1] != height) {
            width = size[0];
            height = size[1];
            pixels = new int[width * height];
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    pixels[y * width + x] = (x * 255 / width) << 16 | (y * 255 / height) << 8 | 0x40;
                }
            }
            rect = new int[] {0, 0, width, height};
        } else {
            int x = random.nextInt(width - 1);
            int y = random.nextInt(height - 1);
            rect = new int[] {x, y, 1 + random.nextInt(Math.min(40, width - x)), 1 + random.nextInt(Math.min(30, height - y))};
            int colour = random.nextInt() & 0xffffff;
            for (int yy = rect[1]; yy < rect[1] + rect[3]; yy++) {
                for (int xx = rect[0]; xx < rect[0] + rect[2]; xx++) {
                    pixels[yy * width + xx] = colour ^ (xx * 7 + yy * 13);
                }
            }
        }
        return new Frame(width, height, rect, frame++ % 2 == 1);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** The pixel at (x, y) as {@code 0xRRGGBB}. */
    public int rgb(int x, int y) {
        return pixels[y * width + x];
    }

    /** Draws the rectangle {@code r} of the picture into {@code b}. */
    public void drawInto(ShmBuffers.Buffer b, int[] r) {
        for (int y = r[1]; y < r[1] + r[3]; y++) {
            for (int x = r[0]; x < r[0] + r[2]; x++) {
                // X = 0xff: weston's pixman renderer copies XRGB pixels as they are, and the screenshooter reads
                // the framebuffer as ARGB, where X = 0 would read as transparent.
                b.pixels.putInt(b.offset + y * b.stride() + x * 4, 0xff000000 | pixels[y * width + x]);
            }
        }
    }
}
