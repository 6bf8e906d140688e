/**
 * Benchmark workloads (real Wayland clients on the testsuite's test client) and JMH micro-benchmarks of
 * the hot paths, and the harness that runs them on the testsuite's rig. Run from the class path by
 * {@code scripts/bench}.
 */
module dev.crossway.bench {
    requires dev.crossway.core;
    requires dev.crossway.linux;
    requires dev.crossway.testsuite;
    requires jmh.core;

    exports dev.crossway.bench;
}
