package dev.crossway.app;

import com.google.inject.CreationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import com.google.inject.ProvisionException;
import dev.crossway.app.config.Settings;
import dev.crossway.app.inject.CrosswayModule;
import dev.crossway.protocol.Interface;
import dev.crossway.protocol.Schema;
import dev.crossway.proxy.intercept.PrimarySelectionAliasInterceptor;
import dev.crossway.proxy.intercept.RegistryPolicy;
import dev.crossway.spi.FdQueue;
import dev.crossway.spi.HostConnection;
import dev.crossway.spi.Transport;
import dev.crossway.wire.Message;
import dev.crossway.wire.MessageCodec;
import dev.crossway.wire.Wire;
import dev.crossway.wire.WireException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code crossway globals}: connects to the host compositor through the selected transport, as the daemon
 * does for each client, and prints every global the host offers with what a guest app sees of it.
 */
final class GlobalsCommand implements Callable<Integer> {
    private static final int DISPLAY = 1;
    private static final int REGISTRY = 2;
    private static final int CALLBACK = 3;
    private static final long TIMEOUT_SECONDS = 10;

    private final Main parent;

    GlobalsCommand(Main parent) {
        this.parent = parent;
    }

    /** One {@code wl_registry.global} of the host. */
    record Global(int name, String iface, int version) {
    }

    @Override
    public Integer call() {
        Settings settings;
        try {
            settings = parent.settings();
        } catch (IllegalArgumentException e) {
            return parent.fail(Main.USAGE, e.getMessage());
        }
        Injector injector;
        Transport transport;
        try {
            injector = Guice.createInjector(new CrosswayModule(settings, parent.providers(), null));
            transport = injector.getInstance(Transport.class);
        } catch (ProvisionException | CreationException e) {
            return parent.fail(1, Main.rootMessage(e));
        }
        try (transport) {
            Schema schema = injector.getInstance(Schema.class);
            List<Global> globals;
            try {
                globals = hostGlobals(transport, schema);
            } catch (IOException | WireException e) {
                return parent.fail(1, "cannot list the host's globals through " + transport.describe() + ": " + e.getMessage());
            }
            print(globals, injector.getInstance(RegistryPolicy.class), transport.describe());
            return 0;
        }
    }

    /** get_registry and a sync on a fresh host connection; every global announced before the sync's done. */
    static List<Global> hostGlobals(Transport transport, Schema schema) throws IOException, WireException {
        Interface display = schema.require("wl_display");
        Interface registry = schema.require("wl_registry");
        List<Global> globals = new ArrayList<>();
        ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "crossway-globals-timeout");
            t.setDaemon(true);
            return t;
        });
        AtomicBoolean timedOut = new AtomicBoolean();
        try (HostConnection host = transport.connect()) {
            watchdog.schedule(() -> {
                timedOut.set(true);
                host.close();
            }, TIMEOUT_SECONDS, TimeUnit.SECONDS);
            ByteBuffer out = ByteBuffer.allocateDirect(64).order(ByteOrder.nativeOrder());
            FdQueue noFds = new FdQueue();
            MessageCodec.encode(new Message(DISPLAY, display.message(true, "get_registry"), REGISTRY), out, noFds);
            MessageCodec.encode(new Message(DISPLAY, display.message(true, "sync"), CALLBACK), out, noFds);
            out.flip();
            host.send(out, noFds);
            ByteBuffer in = ByteBuffer.allocateDirect(64 * 1024).order(ByteOrder.nativeOrder());
            FdQueue fds = new FdQueue();
            while (true) {
                if (host.receive(in, fds) < 0) {
                    throw new IOException(timedOut.get() ? "no answer from the host compositor within " + TIMEOUT_SECONDS + " s"
                            : "the host compositor closed the connection");
                }
                in.flip();
                while (in.remaining() >= Wire.HEADER_SIZE && in.remaining() >= Wire.size(in, in.position())) {
                    int at = in.position();
                    int object = Wire.objectId(in, at);
                    int opcode = Wire.opcode(in, at);
                    if (object == CALLBACK) {
                        return globals;
                    }
                    if (object == REGISTRY && opcode == 0) {
                        Message m = MessageCodec.decode(in, at, registry.event(0), fds);
                        globals.add(new Global(m.intArg(0), m.stringArg(1), m.intArg(2)));
                    } else if (object == DISPLAY && opcode == 0) {
                        Message m = MessageCodec.decode(in, at, display.event(0), fds);
                        throw new IOException("the host compositor sent an error: " + m.stringArg(2));
                    }
                    in.position(at + Wire.checkedSize(in, at, in.limit()));
                }
                in.compact();
            }
        } finally {
            watchdog.shutdownNow();
        }
    }

    private static void print(List<Global> globals, RegistryPolicy policy, String where) {
        List<String> lines = new ArrayList<>();
        int shown = 0;
        boolean hostHasGtk = globals.stream().anyMatch(g -> g.iface().equals(PrimarySelectionAliasInterceptor.GTK_MANAGER));
        for (Global g : globals) {
            RegistryPolicy.Decision d = policy.decide(g.iface(), g.version());
            shown += d.shown() ? 1 : 0;
            lines.add(row(Integer.toUnsignedString(g.name()), g.iface(), Integer.toString(g.version()),
                    d.shown() ? Integer.toString(d.version()) : "-", d.globalClass() == null ? "-" : d.globalClass().toString(),
                    d.shown() ? "" : "hidden: " + d.reason()));
            int alias = g.iface().equals(PrimarySelectionAliasInterceptor.ZWP_MANAGER) && !hostHasGtk
                    ? PrimarySelectionAliasInterceptor.aliasVersion(policy, g.version()) : 0;
            if (alias > 0) {
                lines.add(row("+", PrimarySelectionAliasInterceptor.GTK_MANAGER, "-", Integer.toString(alias), "ordinary",
                        "added by Crossway: GTK 3's name for " + g.iface() + " " + Integer.toUnsignedString(g.name())));
            }
        }
        System.out.println("host compositor (" + where + "): " + globals.size() + " globals, " + shown + " shown to guest apps");
        System.out.println(row("name", "interface", "host", "guest", "class", ""));
        lines.forEach(System.out::println);
    }

    private static String row(String name, String iface, String host, String guest, String cls, String note) {
        return String.format("%5s  %-50s %4s %5s  %-17s %s", name, iface, host, guest, cls, note).stripTrailing();
    }
}
