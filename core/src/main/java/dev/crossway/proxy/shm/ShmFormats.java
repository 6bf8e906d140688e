package dev.crossway.proxy.shm;

import java.util.HashMap;
import java.util.Map;

/**
 * Bytes per pixel of the {@code wl_shm.format}s Crossway can copy: single-plane RGB formats of 8, 16,
 * 24, 32 and 64 bits. YUV formats (multi-planar, or packed with shared chroma) and the formats with a
 * separate alpha plane are not here: Crossway hides them from clients, since it could not copy a
 * damaged rectangle of them row by row.
 */
public final class ShmFormats {
    /** {@code wl_shm.format.argb8888}: the one format that is not a fourcc. */
    public static final int ARGB8888 = 0;
    /** {@code wl_shm.format.xrgb8888}. */
    public static final int XRGB8888 = 1;

    private static final Map<Integer, Integer> BPP = new HashMap<>();

    static {
        BPP.put(ARGB8888, 4);
        BPP.put(XRGB8888, 4);
        for (String f : new String[] {"C8  ", "RGB8", "BGR8", "R8  "}) {
            BPP.put(fourcc(f), 1);
        }
        for (String f : new String[] {"XR12", "XB12", "RX12", "BX12", "AR12", "AB12", "RA12", "BA12", // 4444
                "XR15", "XB15", "RX15", "BX15", "AR15", "AB15", "RA15", "BA15", // 1555 / 5551
                "RG16", "BG16", "R16 ", "RG88", "GR88"}) {
            BPP.put(fourcc(f), 2);
        }
        for (String f : new String[] {"RG24", "BG24"}) {
            BPP.put(fourcc(f), 3);
        }
        for (String f : new String[] {"XR24", "AR24", "XB24", "RX24", "BX24", "AB24", "RA24", "BA24", // 8888
                "XR30", "XB30", "RX30", "BX30", "AR30", "AB30", "RA30", "BA30", // 2101010 / 1010102
                "RG32", "GR32"}) {
            BPP.put(fourcc(f), 4);
        }
        for (String f : new String[] {"XR4H", "XB4H", "AR4H", "AB4H", "XR48", "XB48", "AR48", "AB48", "AB10"}) {
            BPP.put(fourcc(f), 8);
        }
    }

    private ShmFormats() {
    }

    /** Bytes per pixel of {@code format}, or 0 when Crossway cannot copy it. */
    public static int bytesPerPixel(int format) {
        Integer bpp = BPP.get(format);
        return bpp == null ? 0 : bpp;
    }

    /** The little-endian fourcc code of a 4-character name, as DRM and wl_shm define it. */
    public static int fourcc(String code) {
        if (code.length() != 4) {
            throw new IllegalArgumentException("a fourcc has 4 characters: '" + code + "'");
        }
        return code.charAt(0) | code.charAt(1) << 8 | code.charAt(2) << 16 | code.charAt(3) << 24;
    }
}
