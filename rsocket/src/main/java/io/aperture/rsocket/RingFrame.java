package io.aperture.rsocket;

import io.netty.buffer.ByteBuf;

/**
 * One record of an RSocket ring channel: HELLO (a connection's first record each way, with its connection id) or
 * FRAME (one RSocket frame, which this record owns until it is written or released).
 */
final class RingFrame {
    static final int HELLO = 1;
    static final int FRAME = 2;

    final int type;
    final long connectionId;
    final ByteBuf frame;

    private RingFrame(int type, long connectionId, ByteBuf frame) {
        this.type = type;
        this.connectionId = connectionId;
        this.frame = frame;
    }

    static RingFrame hello(long connectionId) {
        return new RingFrame(HELLO, connectionId, null);
    }

    static RingFrame frame(ByteBuf frame) {
        return new RingFrame(FRAME, 0, frame);
    }

    /** Releases the RSocket frame this record owns, if any. */
    void release() {
        if (frame != null && frame.refCnt() > 0) {
            frame.release();
        }
    }

    @Override
    public String toString() {
        return type == HELLO ? "HELLO " + Long.toHexString(connectionId) : "FRAME of " + frame.readableBytes() + " bytes";
    }
}
