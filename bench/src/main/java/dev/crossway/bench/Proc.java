package dev.crossway.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** An external process of the harness (compositor, proxy), with its log and /proc readings. */
final class Proc implements AutoCloseable {
    private final String name;
    private final Process process;
    private final Path log;

    private Proc(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    static Proc start(String name, List<String> command, Map<String, String> env, Path logDir) throws IOException {
        Path log = logDir.resolve(name + ".log");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(env);
        return new Proc(name, pb.start(), log);
    }

    long pid() {
        return process.pid();
    }

    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }

    /** Waits until {@code ready} holds; fails with the log's tail when the process dies or time runs out. */
    Proc await(String what, Duration timeout, BooleanSupplier ready) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ready.getAsBoolean()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                String tail = log();
                tail = tail.substring(Math.max(0, tail.length() - 2000));
                throw new IllegalStateException(name + ": " + what + " did not happen"
                        + (process.isAlive() ? " within " + timeout.toSeconds() + " s" : " (the process exited)") + "; log:\n" + tail);
            }
            sleep(5);
        }
        return this;
    }

    /**
     * user + system CPU time of the process and its living descendants so far, in milliseconds (clock
     * ticks of 10 ms). waypipe, for one, serves each connection from a forked child.
     */
    double cpuMillis() {
        // The process's own time plus its reaped children's (cutime, cstime), plus living descendants':
        // a child that ends between two readings moves from the last term to the first, so the sum
        // only grows.
        double sum = cpuMillis(pid(), true);
        for (ProcessHandle child : (Iterable<ProcessHandle>) process.descendants()::iterator) {
            sum += cpuMillis(child.pid(), false);
        }
        return sum;
    }

    private static double cpuMillis(long pid, boolean withReapedChildren) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            if (withReapedChildren) {
                ticks += Long.parseLong(f[13]) + Long.parseLong(f[14]);
            }
            return ticks * 10.0;
        } catch (IOException e) {
            return 0; // gone meanwhile
        }
    }

    /** Resident set size in MiB. */
    double rssMiB() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid() + "/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
                }
            }
        } catch (IOException e) {
            return Double.NaN;
        }
        return Double.NaN;
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
    }
}
