package dev.crossway.testsuite.rig;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Where Wayland client programs run and what they reach: directly a compositor on this machine, or Crossway
 * on some transport, whose clients may run on this machine or in a VM guest. The suites run every client
 * through one, so they never know which.
 */
public interface Display {
    /** For messages: {@code host}, {@code guest}, ... */
    String label();

    /** Runs a client program to its end. */
    Clients.Result run(ClientCommand command);

    /** Starts a client program and returns at once. */
    ClientRun start(ClientCommand command);

    /** Starts a program of the project's test client ({@link dev.crossway.testsuite.client.TestClient}). */
    ClientRun startTestClient(Duration timeout, String... args);

    default Clients.Result runTestClient(Duration timeout, String... args) {
        return startTestClient(timeout, args).await();
    }

    default Clients.Result run(Duration timeout, String... argv) {
        return run(ClientCommand.of(timeout, argv));
    }

    /** A directory on this machine whose files these clients see too: where a test puts what they read and write. */
    Path exchange();

    /** How these clients name {@code file}, which lies in {@link #exchange()}. */
    String pathOf(Path file);

    /** This display, with {@code env} added to the environment of every client program (not the test client's). */
    default Display withEnv(Map<String, String> env) {
        Display d = this;
        return new Display() {
            @Override
            public String label() {
                return d.label() + " " + env;
            }

            @Override
            public Clients.Result run(ClientCommand command) {
                return d.run(command.withEnv(env));
            }

            @Override
            public ClientRun start(ClientCommand command) {
                return d.start(command.withEnv(env));
            }

            @Override
            public ClientRun startTestClient(Duration timeout, String... args) {
                return d.startTestClient(timeout, args);
            }

            @Override
            public Path exchange() {
                return d.exchange();
            }

            @Override
            public String pathOf(Path file) {
                return d.pathOf(file);
            }

            @Override
            public String toString() {
                return label();
            }
        };
    }
}
