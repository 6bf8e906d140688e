package dev.crossway.testsuite.rig;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A client program to run on a {@link Display}: its arguments, extra environment, where its stdin comes
 * from and its stdout goes (files of the display's {@linkplain Display#exchange() exchange directory}, or
 * none), and how long it may take before it is ended and reported.
 */
public record ClientCommand(List<String> argv, Map<String, String> env, Path stdin, Path stdout, Duration timeout) {
    public ClientCommand {
        argv = List.copyOf(argv);
        env = Map.copyOf(env);
    }

    public static ClientCommand of(Duration timeout, String... argv) {
        return new ClientCommand(List.of(argv), Map.of(), null, null, timeout);
    }

    public static ClientCommand of(Duration timeout, List<String> argv) {
        return new ClientCommand(argv, Map.of(), null, null, timeout);
    }

    /** The same with {@code more} added to its environment. */
    public ClientCommand withEnv(Map<String, String> more) {
        Map<String, String> all = new HashMap<>(env);
        all.putAll(more);
        return new ClientCommand(argv, all, stdin, stdout, timeout);
    }

    /** The same reading stdin from {@code file}. */
    public ClientCommand withStdin(Path file) {
        return new ClientCommand(argv, env, file, stdout, timeout);
    }

    /** The same writing stdout to {@code file}. */
    public ClientCommand withStdout(Path file) {
        return new ClientCommand(argv, env, stdin, file, timeout);
    }
}
