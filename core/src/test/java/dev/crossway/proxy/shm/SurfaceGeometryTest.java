package dev.crossway.proxy.shm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossway.wire.Fixed;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class SurfaceGeometryTest {

    static String surfaceDamage(SurfaceGeometry g, int x, int y, int w, int h) {
        Region r = new Region();
        g.surfaceToBuffer(x, y, w, h, r);
        return r.toString();
    }

    static SurfaceGeometry plain(int bw, int bh, int scale, int transform) {
        return new SurfaceGeometry(bw, bh, scale, transform, Viewport.NONE);
    }

    @ParameterizedTest
    @CsvSource({
        "1, 10, 20, 30, 40, 'Region[10,20 30x40]'",
        "2, 10, 20, 30, 40, 'Region[20,40 60x80]'",
        "3, 1, 1, 1, 1, 'Region[3,3 3x3]'",
        "3, 0, 0, 100, 100, 'Region[0,0 300x300]'",
    })
    void scaleMultipliesSurfaceDamage(int scale, int x, int y, int w, int h, String expected) {
        assertThat(surfaceDamage(plain(300, 300, scale, 0), x, y, w, h)).isEqualTo(expected);
    }

    /**
     * Where the surface's top-left pixel lives in a 4x3 buffer under each wl_output.transform: the
     * client applied the transform to its content, so e.g. 90 (counter-clockwise) puts it bottom-left.
     */
    @ParameterizedTest
    @CsvSource({
        "0, 'Region[0,0 1x1]'",
        "1, 'Region[0,2 1x1]'",
        "2, 'Region[3,2 1x1]'",
        "3, 'Region[3,0 1x1]'",
        "4, 'Region[3,0 1x1]'",
        "5, 'Region[0,0 1x1]'",
        "6, 'Region[0,2 1x1]'",
        "7, 'Region[3,2 1x1]'",
    })
    void transformMovesTheTopLeftPixel(int transform, String expected) {
        assertThat(surfaceDamage(plain(4, 3, 1, transform), 0, 0, 1, 1)).isEqualTo(expected);
    }

    /** Every transform maps the surface's pixels one to one onto the buffer's, at scale 1 and 2. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 4, 5, 6, 7})
    void everyTransformIsABijectionOfPixels(int transform) {
        for (int scale : new int[] {1, 2}) {
            int bw = 6 * scale;
            int bh = 4 * scale;
            SurfaceGeometry g = plain(bw, bh, scale, transform);
            int sw = SurfaceGeometry.swapsAxes(transform) ? 4 : 6;
            int sh = SurfaceGeometry.swapsAxes(transform) ? 6 : 4;
            Set<String> hit = new HashSet<>();
            for (int y = 0; y < sh; y++) {
                for (int x = 0; x < sw; x++) {
                    Region r = new Region();
                    g.surfaceToBuffer(x, y, 1, 1, r);
                    assertThat(r.size()).isEqualTo(1);
                    assertThat(r.width(0)).isEqualTo(scale);
                    assertThat(r.height(0)).isEqualTo(scale);
                    assertThat(hit.add(r.x(0) + "," + r.y(0))).as("pixel %d,%d maps to a fresh buffer block", x, y).isTrue();
                }
            }
            assertThat(hit).hasSize(sw * sh);
            assertThat(surfaceDamage(g, 0, 0, sw, sh)).isEqualTo("Region[0,0 " + bw + "x" + bh + "]");
        }
    }

    @Test
    void transformAndScaleTogether() {
        // A 200x100 buffer rotated 90 at scale 2 is a 50x100 surface. Surface rect 10,20 5x8:
        // buffer x = surface y in [20,28), buffer y = 50 - surface x in [35,40), both times 2.
        assertThat(surfaceDamage(plain(200, 100, 2, 1), 10, 20, 5, 8)).isEqualTo("Region[40,70 16x10]");
    }

    @Test
    void viewportSourceAndDestinationScaleDamageBack() {
        Viewport v = Viewport.NONE.withSource(50, 25, 100, 50).withDestination(400, 200);
        SurfaceGeometry g = new SurfaceGeometry(200, 100, 1, 0, v);
        // 4x2 surface pixels are one buffer pixel.
        assertThat(surfaceDamage(g, 0, 0, 4, 2)).isEqualTo("Region[50,25 1x1]");
        // A part of a buffer pixel is the whole pixel (rounded outwards).
        assertThat(surfaceDamage(g, 1, 1, 1, 1)).isEqualTo("Region[50,25 1x1]");
        assertThat(surfaceDamage(g, 0, 0, 400, 200)).isEqualTo("Region[50,25 100x50]");
    }

    @Test
    void viewportDestinationOnlyScalesTheWholeBuffer() {
        SurfaceGeometry g = new SurfaceGeometry(200, 100, 1, 0, Viewport.NONE.withDestination(100, 50));
        assertThat(surfaceDamage(g, 10, 10, 5, 5)).isEqualTo("Region[20,20 10x10]");
    }

    @Test
    void viewportSourceOnlyCropsWithFractionalOrigin() {
        Viewport v = Viewport.NONE.withSource(Fixed.toDouble(Fixed.fromDouble(10.5)), 0, 20, 20);
        SurfaceGeometry g = new SurfaceGeometry(200, 100, 1, 0, v);
        assertThat(surfaceDamage(g, 0, 0, 1, 1)).isEqualTo("Region[10,0 2x1]");
    }

    @Test
    void viewportAppliesBeforeTransformAndScale() {
        // 200x100 buffer, transform 90, scale 2: a 50x100 surface before the viewport, shown at half size.
        Viewport v = Viewport.NONE.withSource(0, 0, 50, 100).withDestination(25, 50);
        SurfaceGeometry g = new SurfaceGeometry(200, 100, 2, 1, v);
        assertThat(surfaceDamage(g, 0, 0, 1, 1)).isEqualTo("Region[0,96 4x4]");
    }

    @Test
    void damageOutsideTheBufferIsClippedOrDropped() {
        SurfaceGeometry g = plain(100, 100, 1, 0);
        assertThat(surfaceDamage(g, -10, -10, 5, 5)).isEqualTo("Region[]");
        assertThat(surfaceDamage(g, 90, 95, 20, 20)).isEqualTo("Region[90,95 10x5]");
        assertThat(surfaceDamage(g, 0, 0, Integer.MAX_VALUE, Integer.MAX_VALUE)).isEqualTo("Region[0,0 100x100]");
        assertThat(surfaceDamage(g, Integer.MIN_VALUE, Integer.MIN_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE))
                .isEqualTo("Region[]");
        // The same for a rotated, scaled buffer.
        assertThat(surfaceDamage(plain(100, 60, 2, 3), 0, 0, Integer.MAX_VALUE, Integer.MAX_VALUE)).isEqualTo("Region[0,0 100x60]");
    }

    @Test
    void emptyDamageAddsNothing() {
        SurfaceGeometry g = plain(100, 100, 2, 5);
        assertThat(surfaceDamage(g, 10, 10, 0, 0)).isEqualTo("Region[]");
        assertThat(surfaceDamage(g, 10, 10, -3, 4)).isEqualTo("Region[]");
        Region r = new Region();
        g.bufferToBuffer(1, 1, 0, 5, r);
        assertThat(r.isEmpty()).isTrue();
    }

    @Test
    void bufferDamageIgnoresScaleAndTransformAndMixesWithSurfaceDamage() {
        SurfaceGeometry g = plain(100, 80, 2, 2);
        Region r = new Region();
        g.bufferToBuffer(1, 2, 3, 4, r);
        assertThat(r.toString()).isEqualTo("Region[1,2 3x4]");
        // Surface 0,0 1x1 under 180 at scale 2 is the bottom-right 2x2 block of the buffer.
        g.surfaceToBuffer(0, 0, 1, 1, r);
        g.bufferToBuffer(95, 70, 50, 50, r);
        assertThat(r.toString()).as("the 2x2 block is inside the buffer rect, which absorbs it").isEqualTo("Region[1,2 3x4, 95,70 5x10]");
    }
}
