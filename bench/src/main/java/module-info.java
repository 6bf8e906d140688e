/**
 * Benchmark workloads (real Wayland clients written with Crossway's own codec) and JMH
 * micro-benchmarks of the hot paths. Run from the class path by {@code scripts/bench}.
 */
module dev.crossway.bench {
    requires dev.crossway.core;
    requires dev.crossway.linux;
    requires jmh.core;

    exports dev.crossway.bench;
}
