package dev.crossway.testsuite.rig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Numbers about a live process, from {@code /proc/<pid>/fd}, {@code status} and {@code task/<tid>/comm}:
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

    @Override
    public String toString() {
        return "fds=" + openFds + " threads=" + threads + " rss=" + rssKiB / 1024 + " MiB";
    }
}
