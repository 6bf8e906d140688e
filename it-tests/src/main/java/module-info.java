/**
 * Crossway's integration-test rig: a headless weston, the Crossway daemon from the built
 * distribution, Wayland clients as external processes, and a PNG decoder for screenshots.
 * The tests themselves live in {@code src/test} (package {@code dev.crossway.it}).
 */
module dev.crossway.it {
    exports dev.crossway.it.rig;
}
