package dev.crossway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.crossway.protocol.Interface;
import dev.crossway.protocol.Schema;
import dev.crossway.protocol.SchemaLoader;
import dev.crossway.wire.AllocatedBytes;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Objects' lives in the table: live, zombie, gone; and what a per-frame object costs. */
class ObjectTableTest {
    static Interface callback;
    static Interface surface;

    @BeforeAll
    static void schema() throws Exception {
        Schema schema = SchemaLoader.loadBundled();
        callback = schema.require("wl_callback");
        surface = schema.require("wl_surface");
    }

    @Test
    void anObjectIsLiveThenAZombieUntilItsIdIsDeleted() {
        ObjectTable objects = new ObjectTable();
        assertThat(objects.create(5, true, surface, 6, InterfaceHooks.NONE)).isNull();
        assertThat(objects.create(6, true, surface, 6, InterfaceHooks.NONE)).isNull();
        assertThat(objects.create(5, true, callback, 1, InterfaceHooks.NONE)).isEqualTo("new id 5 is already in use by a wl_surface");
        assertThat(objects.liveCount()).isEqualTo(2);

        objects.destroy(5);
        assertThat(objects.get(5).isZombie()).isTrue();
        assertThat(objects.get(5).iface()).isSameAs(surface);
        assertThat(objects.get(5).version()).isEqualTo(6);
        assertThat(objects.get(6).isZombie()).as("another object of the same interface and version").isFalse();
        assertThat(objects.liveCount()).isEqualTo(1);
        objects.destroy(5);
        assertThat(objects.liveCount()).as("destroyed once").isEqualTo(1);

        objects.remove(5);
        assertThat(objects.get(5)).isNull();
        assertThat(objects.liveCount()).isEqualTo(1);
        assertThat(objects.create(5, true, callback, 1, InterfaceHooks.NONE)).isNull();
        assertThat(objects.get(5).iface()).isSameAs(callback);
        assertThat(objects.get(5).isZombie()).isFalse();
        objects.remove(6); // deleted while live: the count follows
        assertThat(objects.liveCount()).isEqualTo(1);
    }

    @Test
    void aZombieServerIdMayBeReusedAndRareVersionsWork() {
        ObjectTable objects = new ObjectTable();
        int id = ObjectTable.SERVER_ID_START + 3;
        assertThat(objects.create(id, false, callback, 1, InterfaceHooks.NONE)).isNull();
        objects.destroy(id);
        assertThat(objects.create(id, false, callback, 1, InterfaceHooks.NONE)).isNull();
        assertThat(objects.get(id).isZombie()).isFalse();
        assertThat(objects.create(7, true, surface, 1000, InterfaceHooks.NONE)).isNull();
        assertThat(objects.get(7).version()).isEqualTo(1000);
        objects.destroy(7);
        assertThat(objects.get(7).isZombie()).isTrue();
        assertThat(objects.get(7).version()).isEqualTo(1000);
    }

    /**
     * A client's round trip or frame callback makes a {@code wl_callback} per frame, which the compositor
     * destroys and deletes: tracking it makes no garbage. Counted in bytes the thread allocates, not timed.
     */
    @Test
    void aCallbackPerFrameAllocatesNothing() throws Throwable {
        ObjectTable objects = new ObjectTable();
        AllocatedBytes allocated = new AllocatedBytes();
        for (int round = 0; round < 2; round++) {
            long start = allocated.now();
            for (int i = 0; i < 10_000; i++) {
                int id = 10 + (i & 1);
                if (objects.create(id, true, callback, 1, InterfaceHooks.NONE) != null) {
                    throw new AssertionError("create failed at " + i);
                }
                objects.destroy(id);
                objects.remove(id);
            }
            long bytes = allocated.now() - start;
            if (round == 1) { // the first round warms up
                // An entry per object would take at least 240,000 bytes here.
                assertThat(bytes).as("bytes allocated by 10,000 callbacks made, destroyed and deleted").isLessThan(10_000);
            }
        }
        assertThat(objects.liveCount()).isZero();
    }

}
