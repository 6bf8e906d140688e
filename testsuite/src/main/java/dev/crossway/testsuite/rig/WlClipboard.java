package dev.crossway.testsuite.rig;

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
import java.util.SplittableRandom;

/**
 * {@code wl-copy} and {@code wl-paste} (wl-clipboard) on a {@link Display}, with content streamed from and
 * to files of its exchange directory, so transfers of any size never pass through the test's heap.
 *
 * <p>Every transfer uses the type {@link #TYPE}, so wl-copy does not guess one from the content and
 * wl-paste does not add a newline. wl-copy forks a child that serves the selection once it is set and
 * returns; the child ends when another selection replaces its own ({@link #clear}).
 */
public final class WlClipboard {
    public static final String TYPE = "application/octet-stream";

    private WlClipboard() {}

    /** {@code wl-copy [--primary] -t TYPE < input}; returns when the selection is set. */
    public static Clients.Result copy(Display d, Path input, boolean primary, Duration timeout) {
        List<String> c = new ArrayList<>(List.of("wl-copy"));
        if (primary) {
            c.add("--primary");
        }
        c.addAll(List.of("-t", TYPE));
        return d.run(ClientCommand.of(timeout, c).withStdin(input));
    }

    /** {@code wl-paste [--primary] -n -t TYPE > output}. */
    public static Clients.Result paste(Display d, Path output, boolean primary, Duration timeout) {
        return d.run(ClientCommand.of(timeout, pasteCommand(primary)).withStdout(output));
    }

    /** {@link #paste}, started: returns at once. */
    public static ClientRun startPaste(Display d, Path output, boolean primary, Duration timeout) {
        return d.start(ClientCommand.of(timeout, pasteCommand(primary)).withStdout(output));
    }

    /**
     * {@code wl-paste ... | head -c bytes > output}: the reading end goes away mid-transfer, and wl-paste
     * ends on the broken pipe.
     */
    public static Clients.Result pasteHead(Display d, Path output, boolean primary, long bytes, Duration timeout) {
        String cmd = String.join(" ", pasteCommand(primary)) + " | head -c " + bytes + " > '" + d.pathOf(output) + "'";
        return d.run(ClientCommand.of(timeout, "sh", "-c", cmd));
    }

    /** {@code wl-copy --clear [--primary]}: ends whichever wl-copy served the selection. */
    public static Clients.Result clear(Display d, boolean primary, Duration timeout) {
        List<String> c = new ArrayList<>(List.of("wl-copy", "--clear"));
        if (primary) {
            c.add("--primary");
        }
        return d.run(ClientCommand.of(timeout, c));
    }

    private static List<String> pasteCommand(boolean primary) {
        List<String> c = new ArrayList<>(List.of("wl-paste"));
        if (primary) {
            c.add("--primary");
        }
        c.addAll(List.of("-n", "-t", TYPE));
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
}
