package dev.crossway.app;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/** Runs {@code crossway -- CMD ARGS…}: the command sees Crossway's socket as its WAYLAND_DISPLAY. */
final class ChildCommand {
    private ChildCommand() {
    }

    /** Runs the command until it exits (its status is returned) or a signal stops Crossway. */
    static int run(List<String> command, Daemon daemon, CountDownLatch stop, Logger log) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
        pb.environment().put("WAYLAND_DISPLAY", daemon.displayName());
        Process child;
        try {
            child = pb.start();
        } catch (IOException e) {
            throw new IOException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
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
            log.info("stopping {}", command.get(0));
            child.destroy();
            if (!child.waitFor(5, TimeUnit.SECONDS)) {
                child.destroyForcibly();
            }
            return 128 + 15;
        }
        return child.exitValue();
    }
}
