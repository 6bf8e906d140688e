package dev.crossway.testsuite.rig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Numbers about a live process, from {@code /proc/<pid>/fd}, {@code status}, {@code stat} and {@code task/<tid>/}:
 * what a leak check compares before and after, and what a benchmark reports.
 */
public record ProcStats(int openFds, int threads, long rssKiB, List<String> threadNames) {
    public static ProcStats of(long pid) {
        Path proc = Path.of("/proc", Long.toString(pid));
        try {
            int fds;
            try (Stream<Path> s = Files.list(proc.resolve("fd"))) {
                fds = (int) s.count();
            }
            int threads = -1;
            long rss = -1;
            for (String line : Files.readAllLines(proc.resolve("status"))) {
                if (line.startsWith("Threads:")) {
                    threads = Integer.parseInt(line.substring(8).trim());
                } else if (line.startsWith("VmRSS:")) {
                    rss = Long.parseLong(line.substring(6).trim().split("\\s+")[0]);
                }
            }
            List<String> names = new ArrayList<>();
            try (Stream<Path> s = Files.list(proc.resolve("task"))) {
                for (Path task : s.toList()) {
                    try {
                        names.add(Files.readString(task.resolve("comm")).trim());
                    } catch (IOException gone) {
                        // the thread ended while we listed
                    }
                }
            }
            names.sort(null);
            return new ProcStats(fds, threads, rss, List.copyOf(names));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc for pid " + pid + " (has it exited?)", e);
        }
    }

    /** Resident set size in MiB. */
    public double rssMiB() {
        return rssKiB / 1024.0;
    }

    /**
     * user + system CPU time so far of {@code process}, its reaped children and its living descendants, in
     * milliseconds (clock ticks of 10 ms). waypipe, for one, serves each connection from a forked child.
     */
    public static double cpuMillis(ProcessHandle process) {
        // A child that ends between two readings moves from the descendants' term to the reaped children's,
        // so the sum only grows.
        double sum = cpuMillis(process.pid(), true);
        for (ProcessHandle child : (Iterable<ProcessHandle>) process.descendants()::iterator) {
            sum += cpuMillis(child.pid(), false);
        }
        return sum;
    }

    /**
     * user + system CPU time so far of the living threads of process {@code pid} whose name ({@code comm},
     * 15 characters at most) contains {@code namePart}, in milliseconds: for instance what the emulated devices'
     * threads, named {@code virtgpu-emulator-...} and {@code virtwl-emulator-...}, spent inside the daemon.
     */
    public static double threadCpuMillis(long pid, String namePart) {
        double sum = 0;
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks.toList()) {
                try {
                    if (Files.readString(task.resolve("comm")).contains(namePart)) {
                        sum += ticks(Files.readString(task.resolve("stat")), false) * 10.0;
                    }
                } catch (IOException gone) {
                    // the thread ended while we listed
                }
            }
        } catch (IOException e) {
            return 0; // gone meanwhile
        }
        return sum;
    }

    /** utime + stime (and the reaped children's) from a {@code stat} line, in clock ticks. */
    private static long ticks(String stat, boolean withReapedChildren) {
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        if (withReapedChildren) {
            ticks += Long.parseLong(f[13]) + Long.parseLong(f[14]);
        }
        return ticks;
    }

    private static double cpuMillis(long pid, boolean withReapedChildren) {
        try {
            return ticks(Files.readString(Path.of("/proc/" + pid + "/stat")), withReapedChildren) * 10.0;
        } catch (IOException e) {
            return 0; // gone meanwhile
        }
    }

    @Override
    public String toString() {
        return "fds=" + openFds + " threads=" + threads + " rss=" + rssKiB / 1024 + " MiB";
    }
}
