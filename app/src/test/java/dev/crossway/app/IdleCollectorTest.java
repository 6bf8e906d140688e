package dev.crossway.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class IdleCollectorTest {
    @Test
    void theLastClientLeavingBringsOneCollectionHoweverManyLeftJustBefore() throws Exception {
        AtomicInteger clients = new AtomicInteger(3);
        Semaphore collections = new Semaphore(0);
        try (IdleCollector idle = new IdleCollector(clients::get, collections::release)) {
            collectsOncePerIdlePeriod(idle, clients, collections);
        }
    }

    private static void collectsOncePerIdlePeriod(IdleCollector idle, AtomicInteger clients, Semaphore collections) throws Exception {
        while (clients.get() > 0) {
            clients.decrementAndGet();
            idle.sessionClosed();
            idle.sessionClosed(); // a second close with nobody left: the collection already waits
        }
        assertThat(collections.tryAcquire(30, TimeUnit.SECONDS)).as("a collection once the last client left").isTrue();
        // A new client arrives and leaves: the next idle period brings the next collection, one again.
        clients.set(1);
        clients.set(0);
        idle.sessionClosed();
        assertThat(collections.tryAcquire(30, TimeUnit.SECONDS)).as("a collection after the next idle period").isTrue();
        assertThat(collections.availablePermits()).as("one collection per idle period").isZero();
    }
}
