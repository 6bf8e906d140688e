package dev.crossway.vm;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the VM tier measured, one row per figure with its value and how it was taken, written as a
 * Markdown table to the file named by system property {@code crossway.vm.figures} after every new
 * row (so a run that fails half-way still leaves what it measured).
 */
public final class Figures {
    private static final Map<String, String[]> ROWS = new LinkedHashMap<>();

    private Figures() {}

    public static synchronized void record(String figure, String value, String method) {
        ROWS.put(figure, new String[] {value, method});
        System.out.println("figure: " + figure + " = " + value + " (" + method + ")");
        String file = System.getProperty("crossway.vm.figures");
        if (file == null) {
            return;
        }
        StringBuilder md = new StringBuilder("| figure (TCG) | value | method |\n|---|---|---|\n");
        ROWS.forEach((k, v) -> md.append("| ").append(k).append(" | ").append(v[0]).append(" | ").append(v[1]).append(" |\n"));
        try {
            Path p = Path.of(file);
            Files.createDirectories(p.toAbsolutePath().getParent());
            Files.writeString(p, md);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the figures to " + file, e);
        }
    }
}
