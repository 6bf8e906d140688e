package dev.crossway.vm;

import dev.crossway.testsuite.rig.Clients;
import dev.crossway.testsuite.rig.Daemon;
import dev.crossway.testsuite.rig.Display;
import dev.crossway.testsuite.rig.ProcStats;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Crossway daemon from the mounted distribution, running in the guest in a session of its own
 * (so no script's timeout ends it). Its log is written to the exchange directory, where the test
 * machine reads it as it grows. It lives as long as the VM: under TCG its JVM needs most of a minute to
 * start, so every test that asks for the same arguments shares it.
 */
public final class GuestCrossway implements Daemon {
    private static final Pattern LISTENING = Pattern.compile("listening on (/\\S+)");
    private static final Pattern READY = Pattern.compile("pid=(\\d+) ready_s=([0-9.]+)");
    /** Under TCG the daemon's JVM needs about half a minute to listen. */
    private static final Duration START_TIMEOUT = Duration.ofMinutes(3);

    private final Vm vm;
    private final GuestShell shell;
    private final Path log;
    private final long pid;
    private final String socketPath;
    private final double readySeconds;

    private GuestCrossway(Vm vm, Path log, long pid, String socketPath, double readySeconds) {
        this.vm = vm;
        this.shell = vm.shell();
        this.log = log;
        this.pid = pid;
        this.socketPath = socketPath;
        this.readySeconds = readySeconds;
    }

    /**
     * Starts {@code crossway ARGS} in {@code vm} and waits for its {@code listening on} line; the log
     * is {@code NAME.log} in the exchange directory.
     */
    public static GuestCrossway start(Vm vm, String name, List<String> args) {
        String guestLog = "/vm/share/" + name + ".log";
        // The guest measures the time to the listening line itself: the test machine sees it only
        // after the agent's polling and 9p.
        String script = "log=" + guestLog + "\n"
                + "read -r t0 _ </proc/uptime\n"
                + "cd /tmp\n"
                + GuestFiles.javaHomeExport()
                + "setsid " + GuestFiles.CROSSWAY + " " + GuestShell.quote(args) + " >\"$log\" 2>&1 </dev/null &\n"
                + "pid=$!\n"
                + "until grep -q 'listening on' \"$log\" 2>/dev/null; do\n"
                + "  kill -0 $pid 2>/dev/null || { echo \"crossway exited: $(tail -n 20 \"$log\")\"; exit 1; }\n"
                + "  sleep 0.05\n"
                + "done\n"
                + "read -r t1 _ </proc/uptime\n"
                + "echo \"pid=$pid ready_s=$(awk -v a=\"$t0\" -v b=\"$t1\" 'BEGIN { printf \"%.2f\", b - a }')\"\n";
        Clients.Result r = vm.shell().run(START_TIMEOUT, script);
        Path hostLog = vm.share().resolve(name + ".log");
        Matcher ready = READY.matcher(r.stdout());
        if (r.exitCode() != 0 || !ready.find()) {
            throw new VmException("Crossway did not start in " + vm + ": " + r.describe() + "\n  its log: " + hostLog);
        }
        Matcher listening = LISTENING.matcher(Vm.readText(hostLog));
        if (!listening.find()) {
            throw new VmException("Crossway's log has no 'listening on' line: " + hostLog);
        }
        return new GuestCrossway(vm, hostLog, Long.parseLong(ready.group(1)), listening.group(1),
                Double.parseDouble(ready.group(2)));
    }

    /** The daemon's socket in the guest: what guest clients put in {@code WAYLAND_DISPLAY}. */
    public String socketPath() {
        return socketPath;
    }

    public long pid() {
        return pid;
    }

    /** Seconds from starting the launcher to the {@code listening on} line, measured in the guest. */
    public double readySeconds() {
        return readySeconds;
    }

    /** Guest clients, with {@code WAYLAND_DISPLAY} at this daemon's socket. */
    @Override
    public Display clients() {
        return new GuestDisplay(vm, socketPath);
    }

    @Override
    public String log() {
        return Vm.readText(log);
    }

    @Override
    public Path logFile() {
        return log;
    }

    @Override
    public List<String> awaitClosedClients(int n, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (closedClients().size() < n) {
            if (System.nanoTime() > deadline) {
                // SIGQUIT: the JVM appends a dump of every thread to the log, showing what the sessions wait for.
                shell.run(Duration.ofSeconds(20), "kill -QUIT " + pid);
                throw new VmException("Crossway in the guest logged " + closedClients().size() + " 'client N closed' lines, not "
                        + n + ", within " + timeout.toSeconds() + " s; its log, with a thread dump at the end: " + log);
            }
            Vm.sleep(Duration.ofMillis(100));
        }
        return closedClients();
    }

    @Override
    public boolean isAlive() {
        return shell.run(Duration.ofSeconds(20), "kill -0 " + pid).exitCode() == 0;
    }

    /** Open fds, threads (with their names) and resident memory of the daemon, read from the guest's /proc. */
    @Override
    public ProcStats stats() {
        // Few processes: a guest busy with many clients under TCG forks slowly.
        Clients.Result r = shell.run(Duration.ofSeconds(60), "p=/proc/" + pid + "\n"
                + "echo fds=$(ls $p/fd | wc -l)\n"
                + "awk '/^Threads:/ { print \"threads=\" $2 } /^VmRSS:/ { print \"rss=\" $2 }' $p/status\n"
                // A thread may end between the listing and the read (a client's relays as it leaves): skip it.
                + "for t in $p/task/*; do { read -r c < $t/comm; } 2>/dev/null && echo \"thread=$c\" || :; done\n");
        if (r.exitCode() != 0) {
            throw new VmException("cannot read the guest daemon's /proc: " + r.describe());
        }
        int fds = -1;
        int threads = -1;
        long rss = -1;
        List<String> names = new ArrayList<>();
        for (String line : r.stdout().lines().toList()) {
            String value = line.substring(line.indexOf('=') + 1);
            if (line.startsWith("fds=")) {
                fds = Integer.parseInt(value);
            } else if (line.startsWith("threads=")) {
                threads = Integer.parseInt(value);
            } else if (line.startsWith("rss=")) {
                rss = Long.parseLong(value);
            } else if (line.startsWith("thread=")) {
                names.add(value);
            }
        }
        return new ProcStats(fds, threads, rss, names);
    }

    /** Nothing: the daemon is shared by every test that asks for its arguments, and ends with the VM. */
    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return "Crossway in the guest on " + socketPath + " (pid " + pid + ", log " + log + ")";
    }

}
