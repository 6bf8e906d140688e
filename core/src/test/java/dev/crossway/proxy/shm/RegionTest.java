package dev.crossway.proxy.shm;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RegionTest {

    @Test
    void rectanglesWithNoAreaAreIgnored() {
        Region r = new Region();
        r.add(5, 5, 0, 10);
        r.add(5, 5, 10, -1);
        assertThat(r.isEmpty()).isTrue();
    }

    @Test
    void aCoveredRectangleAddsNothingAndACoveringOneReplaces() {
        Region r = new Region();
        r.add(0, 0, 10, 10);
        r.add(2, 2, 3, 3);
        assertThat(r.toString()).isEqualTo("Region[0,0 10x10]");
        r.add(20, 20, 2, 2);
        r.add(15, 15, 10, 10);
        assertThat(r.toString()).isEqualTo("Region[0,0 10x10, 15,15 10x10]");
    }

    @Test
    void neighboursThatFormARectangleMerge() {
        Region r = new Region();
        r.add(0, 0, 10, 5);
        r.add(0, 5, 10, 5); // below, same columns
        r.add(10, 0, 4, 10); // right, same rows
        assertThat(r.toString()).isEqualTo("Region[0,0 14x10]");
        assertThat(r.area()).isEqualTo(140);
    }

    @Test
    void anOverlappingRectangleAddsOnlyWhatIsNotCoveredYet() {
        Region r = new Region();
        r.add(0, 0, 10, 10);
        r.add(5, 5, 10, 10);
        assertThat(r.toString()).isEqualTo("Region[0,0 10x10, 5,10 10x5, 10,5 5x5]");
        assertThat(r.area()).as("each pixel once").isEqualTo(100 + 100 - 25);
        for (int y = 0; y < 20; y++) {
            for (int x = 0; x < 20; x++) {
                boolean in = (x < 10 && y < 10) || (x >= 5 && y >= 5 && x < 15 && y < 15);
                assertThat(r.contains(x, y)).as(x + "," + y).isEqualTo(in);
            }
        }
    }

    @Test
    void moreThanSixteenRectanglesCollapseToTheirBoundingBox() {
        Region r = new Region();
        for (int i = 0; i < Region.MAX_RECTS; i++) {
            r.add(i * 10, i * 10, 2, 2);
        }
        assertThat(r.size()).isEqualTo(Region.MAX_RECTS);
        r.add(500, 3, 1, 1);
        assertThat(r.toString()).isEqualTo("Region[0,0 501x152]");
    }

    @Test
    void aRectangleCrossingSeveralIsCutAroundEach() {
        Region r = new Region();
        r.add(10, 0, 10, 100);
        r.add(40, 0, 10, 100);
        r.add(0, 40, 100, 20);
        assertThat(r.area()).isEqualTo(1000 + 1000 + 2000 - 2 * 200);
        for (int y = 0; y < 100; y++) {
            for (int x = 0; x < 100; x++) {
                boolean in = (x >= 10 && x < 20) || (x >= 40 && x < 50) || (y >= 40 && y < 60);
                assertThat(r.contains(x, y)).as(x + "," + y).isEqualTo(in);
            }
        }
    }

    @Test
    void clipCutsToTheBufferAndDropsWhatIsOutside() {
        Region r = new Region();
        r.add(-5, -5, 10, 10);
        r.add(90, 90, 20, 20);
        r.add(200, 0, 5, 5);
        r.add(0, 0, Integer.MAX_VALUE, 1);
        r.clip(100, 100);
        assertThat(r.toString()).isEqualTo("Region[0,0 5x5, 90,90 10x10, 5,0 95x1]");
    }

    @Test
    void unionOfRegionsAndSetFull() {
        Region a = new Region();
        a.add(0, 0, 2, 2);
        Region b = new Region();
        b.add(2, 0, 2, 2);
        b.add(50, 50, 1, 1);
        a.add(b);
        assertThat(a.toString()).isEqualTo("Region[0,0 4x2, 50,50 1x1]");
        a.setFull(7, 3);
        assertThat(a.toString()).isEqualTo("Region[0,0 7x3]");
    }
}
