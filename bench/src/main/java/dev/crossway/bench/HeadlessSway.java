package dev.crossway.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * A headless sway (pixman) for the workloads that need a seat: it refuses to run as root, so it runs as
 * uid 65534 through {@code setpriv}, in a runtime directory of its own that root can still reach.
 */
record HeadlessSway(Proc proc, Path dir, Path socket) implements AutoCloseable {

    static HeadlessSway start(Path logDir) throws IOException {
        Path dir = Files.createTempDirectory("crossway-bench-sway-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path config = dir.resolve("config");
        Files.writeString(config, "swaybg_command -\n");
        for (Path p : List.of(config, dir)) {
            Files.setAttribute(p, "unix:uid", 65534);
            Files.setAttribute(p, "unix:gid", 65534);
        }
        Proc sway = Proc.start("sway", List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "env", "-i",
                "PATH=/usr/local/bin:/usr/bin:/bin", "XDG_RUNTIME_DIR=" + dir, "WLR_BACKENDS=headless", "WLR_LIBINPUT_NO_DEVICES=1",
                "WLR_RENDERER=pixman", "WLR_HEADLESS_OUTPUTS=1", "sway", "-c", config.toString()), Map.of(), logDir);
        Path[] socket = new Path[1];
        try {
            sway.await("sway's socket", Duration.ofSeconds(20), () -> {
                try (var files = Files.list(dir)) {
                    socket[0] = files.filter(f -> f.getFileName().toString().matches("wayland-\\d+")).findFirst().orElse(null);
                } catch (IOException e) {
                    return false;
                }
                return socket[0] != null;
            });
        } catch (RuntimeException e) {
            sway.close();
            throw e;
        }
        return new HeadlessSway(sway, dir, socket[0]);
    }

    @Override
    public void close() throws IOException {
        proc.close();
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
    }
}
