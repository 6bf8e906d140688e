package dev.crossway.it.rig;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * {@code wl-copy} and {@code wl-paste} (wl-clipboard) on one display, with content streamed from and to
 * files, so transfers of any size never pass through the test's heap.
 *
 * <p>Every transfer uses the type {@link #TYPE}, so wl-copy does not guess one from the content and
 * wl-paste does not add a newline. wl-copy forks a child that serves the selection once it is set and
 * returns; the child ends when another selection replaces its own ({@link #clear}).
 */
public final class WlClipboard {
    public static final String TYPE = "application/octet-stream";

    /** Where clients connect: a runtime dir and a {@code WAYLAND_DISPLAY} (name or absolute path). */
    public record Display(String label, Path runtimeDir, String display, Map<String, String> env) {
        public Display(String label, Path runtimeDir, String display) {
            this(label, runtimeDir, display, Map.of());
        }

        public Display withEnv(Map<String, String> extra) {
            return new Display(label, runtimeDir, display, extra);
        }

        @Override
        public String toString() {
            return label;
        }
    }

    private WlClipboard() {}

    /** {@code wl-copy [--primary] -t TYPE < input}; returns when the selection is set. */
    public static Clients.Result copy(Display d, Path input, boolean primary, Duration timeout) {
        List<String> c = new ArrayList<>(List.of("wl-copy"));
        if (primary) {
            c.add("--primary");
        }
        c.addAll(List.of("-t", TYPE));
        return run(d, c, input, null, timeout);
    }

    /** {@code wl-paste [--primary] -n -t TYPE > output}. */
    public static Clients.Result paste(Display d, Path output, boolean primary, Duration timeout) {
        return run(d, pasteCommand(primary), null, output, timeout);
    }

    /**
     * {@code wl-paste ... | head -c bytes > output}: the reading end goes away mid-transfer, and wl-paste
     * ends on the broken pipe.
     */
    public static Clients.Result pasteHead(Display d, Path output, boolean primary, long bytes, Duration timeout) {
        String cmd = String.join(" ", pasteCommand(primary)) + " | head -c " + bytes + " > '" + output + "'";
        return run(d, List.of("sh", "-c", cmd), null, null, timeout);
    }

    /** {@code wl-copy --clear [--primary]}: ends whichever wl-copy served the selection. */
    public static Clients.Result clear(Display d, boolean primary, Duration timeout) {
        List<String> c = new ArrayList<>(List.of("wl-copy", "--clear"));
        if (primary) {
            c.add("--primary");
        }
        return run(d, c, null, null, timeout);
    }

    private static List<String> pasteCommand(boolean primary) {
        List<String> c = new ArrayList<>(List.of("wl-paste"));
        if (primary) {
            c.add("--primary");
        }
        c.addAll(List.of("-n", "-t", TYPE));
        return c;
    }

    /** Runs {@code command} on {@code d} with stdin from {@code input} and stdout to {@code output} (null: none). */
    public static Clients.Result run(Display d, List<String> command, Path input, Path output, Duration timeout) {
        ProcessBuilder pb = new ProcessBuilder(command);
        Procs.waylandEnv(pb, d.runtimeDir(), d.display(), d.env());
        Path out = null;
        Path err = null;
        try {
            out = output != null ? output : Files.createTempFile("crossway-it-", ".out");
            err = Files.createTempFile("crossway-it-", ".err");
            pb.redirectInput(input != null ? ProcessBuilder.Redirect.from(input.toFile())
                    : ProcessBuilder.Redirect.from(new File("/dev/null")));
            pb.redirectOutput(out.toFile()).redirectError(err.toFile());
            long start = System.nanoTime();
            Process p = pb.start();
            boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            String stdout = output != null ? "(in " + output + ")" : Procs.read(out);
            if (!done) {
                Procs.terminate(p, Duration.ofSeconds(2));
                Clients.Result partial = new Clients.Result(prefixed(d, command), -1, stdout, Procs.read(err), elapsed);
                throw new IllegalStateException("timed out after " + timeout.toMillis() + " ms: " + partial.describe());
            }
            return new Clients.Result(prefixed(d, command), p.exitValue(), stdout, Procs.read(err), elapsed);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        } finally {
            if (output == null) {
                delete(out);
            }
            delete(err);
        }
    }

    private static List<String> prefixed(Display d, List<String> command) {
        List<String> c = new ArrayList<>();
        c.add("[" + d.label() + "]");
        c.addAll(command);
        return c;
    }

    /** A file of {@code size} pseudo-random bytes (seeded, so a failure can be reproduced), written in 1 MiB chunks. */
    public static Path randomFile(Path dir, long size, long seed) {
        Path f = dir.resolve("random-" + size + "-" + seed + ".bin");
        SplittableRandom random = new SplittableRandom(seed);
        byte[] chunk = new byte[1 << 20];
        try (var os = Files.newOutputStream(f)) {
            for (long left = size; left > 0; ) {
                int n = (int) Math.min(chunk.length, left);
                for (int i = 0; i < n; i += 8) {
                    long v = random.nextLong();
                    for (int k = 0; k < 8 && i + k < n; k++) {
                        chunk[i + k] = (byte) (v >>> (8 * k));
                    }
                }
                os.write(chunk, 0, n);
                left -= n;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return f;
    }

    /** The hex SHA-256 of a file, streamed. */
    public static String sha256(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void delete(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // a temp file left behind is harmless
            }
        }
    }
}
