package dev.crossway.bench;

/**
 * A JVM that does nothing: started by the harness with the launcher's JVM flags, its RSS is the floor
 * under Crossway's own idle RSS.
 */
public final class EmptyJvm {
    private EmptyJvm() {
    }

    public static void main(String[] args) throws InterruptedException {
        System.out.println("ready");
        Thread.sleep(3_600_000);
    }
}
