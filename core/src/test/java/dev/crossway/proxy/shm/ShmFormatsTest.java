package dev.crossway.proxy.shm;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ShmFormatsTest {

    @Test
    void knowsTheRgbFormatsAndHidesYuv() {
        assertThat(ShmFormats.bytesPerPixel(ShmFormats.ARGB8888)).isEqualTo(4);
        assertThat(ShmFormats.bytesPerPixel(ShmFormats.XRGB8888)).isEqualTo(4);
        assertThat(ShmFormats.bytesPerPixel(0x36314752)).as("rgb565").isEqualTo(2);
        assertThat(ShmFormats.bytesPerPixel(0x34324752)).as("rgb888").isEqualTo(3);
        assertThat(ShmFormats.bytesPerPixel(0x30334241)).as("abgr2101010").isEqualTo(4);
        assertThat(ShmFormats.bytesPerPixel(0x48345258)).as("xrgb16161616f").isEqualTo(8);
        assertThat(ShmFormats.bytesPerPixel(0x20203843)).as("c8").isEqualTo(1);
        assertThat(ShmFormats.bytesPerPixel(0x3231564e)).as("nv12").isZero();
        assertThat(ShmFormats.bytesPerPixel(0x56595559)).as("yuyv").isZero();
        assertThat(ShmFormats.bytesPerPixel(0x38415258)).as("xrgb8888_a8").isZero();
        assertThat(ShmFormats.bytesPerPixel(0x12345678)).isZero();
    }
}
