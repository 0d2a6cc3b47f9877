package io.aperture.rsocket;

import io.aperture.Codec;
import io.aperture.ApertureException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

import java.nio.ByteBuffer;

/**
 * The records of an RSocket ring channel, in place: {@code [type:int32]} then, for HELLO, the connection id
 * ({@code int64}), for FRAME, the RSocket frame's bytes (its length is the record's). Decoding copies a frame into
 * a buffer of the connection's allocator (the ring window is valid only during the call), which RSocket releases.
 */
final class RingFrameCodec implements Codec<RingFrame> {
    static final String NAME = "rsocket-frames1";

    private final ByteBufAllocator allocator;

    RingFrameCodec(ByteBufAllocator allocator) {
        this.allocator = allocator;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void encode(RingFrame value, ByteBuffer window) {
        window.putInt(value.type);
        if (value.type == RingFrame.HELLO) {
            window.putLong(value.connectionId);
        } else {
            ByteBuf frame = value.frame;
            if (frame.readableBytes() > window.remaining()) {
                throw new java.nio.BufferOverflowException(); // the ring offers a larger window, or fragments
            }
            int length = frame.readableBytes();
            ByteBuffer target = window.duplicate();
            target.limit(target.position() + length);
            frame.getBytes(frame.readerIndex(), target);       // copies exactly the frame, leaves its reader index
            window.position(window.position() + length);
        }
    }

    @Override
    public RingFrame decode(ByteBuffer window) {
        int length = window.remaining();
        if (length < Integer.BYTES) {
            throw new ApertureException("RSocket ring record of " + length + " bytes is shorter than its 4-byte type");
        }
        int type = window.getInt();
        if (type == RingFrame.HELLO) {
            if (window.remaining() != Long.BYTES) {
                throw new ApertureException("RSocket HELLO record of " + length + " bytes, expected 12");
            }
            return RingFrame.hello(window.getLong());
        }
        if (type != RingFrame.FRAME) {
            throw new ApertureException("RSocket ring record of unknown type " + type + " (" + length + " bytes)");
        }
        ByteBuf frame = allocator.buffer(window.remaining());
        frame.writeBytes(window);
        return RingFrame.frame(frame);
    }
}
