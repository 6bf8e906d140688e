package dev.crossway.testsuite.rig;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * A decoded PNG: 8-bit RGB or RGBA, not interlaced (what weston-screenshooter writes).
 * Pixels are {@code 0xRRGGBB}; alpha is dropped.
 */
public final class Png {
    private static final byte[] SIGNATURE = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

    private final int width;
    private final int height;
    private final int[] rgb;

    private Png(int width, int height, int[] rgb) {
        this.width = width;
        this.height = height;
        this.rgb = rgb;
    }

    public static Png read(Path file) {
        try {
            return decode(Files.readAllBytes(file), file.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Png decode(byte[] bytes, String name) {
        if (bytes.length < 8 || !Arrays.equals(bytes, 0, 8, SIGNATURE, 0, 8)) {
            throw new IllegalArgumentException(name + ": not a PNG file");
        }
        ByteBuffer in = ByteBuffer.wrap(bytes).position(8);
        int width = -1;
        int height = -1;
        int channels = -1;
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        while (in.remaining() >= 12) {
            int length = in.getInt();
            byte[] typeBytes = new byte[4];
            in.get(typeBytes);
            String type = new String(typeBytes, StandardCharsets.US_ASCII);
            if (length < 0 || length > in.remaining() - 4) {
                throw new IllegalArgumentException(name + ": chunk " + type + " runs past the end of the file");
            }
            int start = in.position();
            switch (type) {
                case "IHDR" -> {
                    width = in.getInt(start);
                    height = in.getInt(start + 4);
                    int depth = bytes[start + 8] & 0xFF;
                    int colour = bytes[start + 9] & 0xFF;
                    int interlace = bytes[start + 12] & 0xFF;
                    channels = colour == 2 ? 3 : colour == 6 ? 4 : -1;
                    if (depth != 8 || channels < 0 || interlace != 0) {
                        throw new IllegalArgumentException(name + ": unsupported PNG (bit depth " + depth
                                + ", colour type " + colour + ", interlace " + interlace + "); only 8-bit RGB/RGBA, not interlaced");
                    }
                }
                case "IDAT" -> idat.write(bytes, start, length);
                default -> { }
            }
            in.position(start + length + 4); // skip the data and the CRC
            if (type.equals("IEND")) {
                break;
            }
        }
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException(name + ": no IHDR chunk");
        }
        int stride = width * channels;
        byte[] raw = inflate(idat.toByteArray(), (stride + 1) * height, name);
        return new Png(width, height, unfilter(raw, width, height, channels));
    }

    private static byte[] inflate(byte[] data, int expected, String name) {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(data);
            byte[] out = new byte[expected];
            int n = 0;
            while (n < expected && !inflater.finished()) {
                int got = inflater.inflate(out, n, expected - n);
                if (got == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
                n += got;
            }
            if (n != expected) {
                throw new IllegalArgumentException(name + ": image data holds " + n + " bytes, expected " + expected);
            }
            return out;
        } catch (DataFormatException e) {
            throw new IllegalArgumentException(name + ": corrupt image data: " + e.getMessage(), e);
        } finally {
            inflater.end();
        }
    }

    private static int[] unfilter(byte[] raw, int width, int height, int channels) {
        int stride = width * channels;
        byte[] prev = new byte[stride];
        byte[] line = new byte[stride];
        int[] rgb = new int[width * height];
        for (int y = 0; y < height; y++) {
            int base = y * (stride + 1);
            int filter = raw[base];
            for (int i = 0; i < stride; i++) {
                int x = raw[base + 1 + i] & 0xFF;
                int a = i >= channels ? line[i - channels] & 0xFF : 0;
                int b = prev[i] & 0xFF;
                int c = i >= channels ? prev[i - channels] & 0xFF : 0;
                int predicted = switch (filter) {
                    case 0 -> 0;
                    case 1 -> a;
                    case 2 -> b;
                    case 3 -> (a + b) >>> 1;
                    case 4 -> paeth(a, b, c);
                    default -> throw new IllegalArgumentException("unknown PNG filter type " + filter + " in row " + y);
                };
                line[i] = (byte) (x + predicted);
            }
            for (int px = 0; px < width; px++) {
                int o = px * channels;
                rgb[y * width + px] = (line[o] & 0xFF) << 16 | (line[o + 1] & 0xFF) << 8 | (line[o + 2] & 0xFF);
            }
            byte[] t = prev;
            prev = line;
            line = t;
        }
        return rgb;
    }

    private static int paeth(int a, int b, int c) {
        int p = a + b - c;
        int pa = Math.abs(p - a);
        int pb = Math.abs(p - b);
        int pc = Math.abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** The pixel at (x, y) as {@code 0xRRGGBB}. */
    public int rgb(int x, int y) {
        return rgb[y * width + x];
    }

    /** How many pixels differ from {@code other}, which must have the same size. */
    public int countDifferent(Png other) {
        if (other.width != width || other.height != height) {
            throw new IllegalArgumentException("sizes differ: " + width + "x" + height + " vs " + other.width + "x" + other.height);
        }
        int n = 0;
        for (int i = 0; i < rgb.length; i++) {
            if (rgb[i] != other.rgb[i]) {
                n++;
            }
        }
        return n;
    }

    /**
     * The bounding box {@code x, y, w, h} of the pixels at or below row {@code top} that differ from
     * {@code other} (same size), and their count as a fifth element; all zero when none differ.
     */
    public int[] changedBox(Png other, int top) {
        int x1 = Integer.MAX_VALUE;
        int y1 = Integer.MAX_VALUE;
        int x2 = -1;
        int y2 = -1;
        int n = 0;
        for (int y = top; y < height; y++) {
            for (int x = 0; x < width; x++) {
                if (rgb(x, y) != other.rgb(x, y)) {
                    n++;
                    x1 = Math.min(x1, x);
                    y1 = Math.min(y1, y);
                    x2 = Math.max(x2, x);
                    y2 = Math.max(y2, y);
                }
            }
        }
        return n == 0 ? new int[] {0, 0, 0, 0, 0} : new int[] {x1, y1, x2 - x1 + 1, y2 - y1 + 1, n};
    }

    /** How many distinct colours the image has (a blank image has one). */
    public int distinctColours() {
        return (int) Arrays.stream(rgb).distinct().count();
    }

    @Override
    public String toString() {
        return "PNG " + width + "x" + height;
    }
}
