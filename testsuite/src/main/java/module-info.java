/**
 * The suites every transport runs (relay, shm, keymap, clipboard), written once against a
 * {@link dev.crossway.testsuite.rig.TransportRig}; each transport's test class subclasses them in a few lines
 * (as Netty's testsuite). With them: the project's one Wayland test client ({@code .client}) and the rig
 * ({@code .rig}: headless weston and sway, Crossway's distribution, clients, screenshots), which bench and
 * the VM tier use too. No transport is named here.
 */
module dev.crossway.testsuite {
    requires transitive dev.crossway.core;
    requires transitive dev.crossway.linux;
    requires transitive org.junit.jupiter.api;
    requires transitive org.junit.jupiter.params;
    requires transitive org.assertj.core;

    exports dev.crossway.testsuite;
    exports dev.crossway.testsuite.client;
    exports dev.crossway.testsuite.rig;
    // JUnit calls the suites' lifecycle and test methods reflectively.
    opens dev.crossway.testsuite to org.junit.platform.commons;
}
