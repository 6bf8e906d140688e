package dev.crossway.app;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/**
 * Runs {@code crossway -- CMD ARGS…}: the command sees Crossway's socket as its WAYLAND_DISPLAY. Exit
 * statuses follow the shell's: 127 when the command is not found, 126 when it is not executable.
 */
final class ChildCommand {
    static final int NOT_FOUND = 127;
    static final int NOT_EXECUTABLE = 126;

    /**
     * Variables that describe this process's own setup, not the child's: {@code WAYLAND_SOCKET} (a
     * connected fd, which would bypass Crossway) and systemd's socket activation and notification.
     */
    private static final List<String> NOT_INHERITED = List.of("WAYLAND_SOCKET", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES",
            "NOTIFY_SOCKET");

    /**
     * Names of the variables the launcher set for the JVM alone ({@code MALLOC_ARENA_MAX}), comma-separated;
     * the child gets the environment the user had.
     */
    static final String LAUNCHER_ENV_PROPERTY = "crossway.launcher-env";

    private ChildCommand() {
    }

    /**
     * Runs the command until it exits (its status is returned) or a signal stops Crossway. Check it with
     * {@link #check} first, before the daemon starts.
     */
    static int run(List<String> command, String displayName, CountDownLatch stop, Logger log, PrintWriter err)
            throws InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
        environment(pb.environment(), displayName, System.getProperty(LAUNCHER_ENV_PROPERTY, ""));
        String program = command.get(0);
        Process child;
        try {
            child = pb.start();
        } catch (IOException e) {
            err.println("crossway: cannot run " + program + ": " + e.getMessage());
            err.flush();
            return NOT_EXECUTABLE;
        }
        Thread watcher = new Thread(() -> {
            try {
                child.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            stop.countDown();
        }, "crossway-child-watcher");
        watcher.setDaemon(true);
        watcher.start();
        stop.await();
        if (child.isAlive()) {
            log.info("stopping {}", program);
            child.destroy();
            if (!child.waitFor(5, TimeUnit.SECONDS)) {
                child.destroyForcibly();
            }
            return 128 + 15;
        }
        return child.exitValue();
    }

    /**
     * The child's environment: Crossway's socket as its display, without this process's own setup or the
     * variables the launcher added ({@code launcherEnv}, comma-separated names).
     */
    static void environment(Map<String, String> env, String displayName, String launcherEnv) {
        NOT_INHERITED.forEach(env::remove);
        for (String name : launcherEnv.split(",")) {
            env.remove(name.trim());
        }
        env.put("WAYLAND_DISPLAY", displayName);
    }

    /**
     * 0 when {@code program} can be run; {@link #NOT_FOUND} or {@link #NOT_EXECUTABLE} otherwise. A name
     * with a slash is a path; a plain name is looked up in {@code path} as {@code execvp} does.
     */
    static int check(String program, String path) {
        if (program.contains("/")) {
            Path p = Path.of(program);
            return !Files.exists(p) ? NOT_FOUND : Files.isDirectory(p) || !Files.isExecutable(p) ? NOT_EXECUTABLE : 0;
        }
        boolean seen = false;
        for (String dir : (path == null || path.isEmpty() ? "/usr/local/bin:/usr/bin:/bin" : path).split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
            if (Files.isRegularFile(candidate)) {
                if (Files.isExecutable(candidate)) {
                    return 0;
                }
                seen = true;
            }
        }
        return seen ? NOT_EXECUTABLE : NOT_FOUND;
    }
}
