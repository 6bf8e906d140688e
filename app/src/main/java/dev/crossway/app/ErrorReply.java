package dev.crossway.app;

import dev.crossway.protocol.Schema;
import dev.crossway.spi.Connection;
import dev.crossway.spi.FdQueue;
import dev.crossway.wire.Message;
import dev.crossway.wire.MessageCodec;
import dev.crossway.wire.WireException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Tells a client that never got a session why, as {@code wl_display.error} (code implementation). */
final class ErrorReply {
    private ErrorReply() {
    }

    static void send(Connection client, Schema schema, String text) {
        var error = schema.require("wl_display").message(false, "error");
        ByteBuffer buf = ByteBuffer.allocateDirect(4096).order(ByteOrder.nativeOrder());
        try {
            MessageCodec.encode(new Message(1, error, 1, 3, text), buf, new FdQueue());
            buf.flip();
            client.send(buf, new FdQueue());
        } catch (IOException | WireException e) {
            // The client is gone or the text too long; closing it says enough.
        }
    }
}
