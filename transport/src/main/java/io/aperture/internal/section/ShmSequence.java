package io.aperture.internal.section;

import com.lmax.disruptor.Sequence;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A Disruptor {@link Sequence} whose value lives in a 64-bit word of a mapped section rather than in the
 * heap, so that a sequencer, barrier or poller in one process reads the progress written by another.
 * Accessed through a byte-buffer view {@link VarHandle} (aligned, native order); no {@code Unsafe}.
 *
 * <p>On a read-only mapping only the loads work; a store fails with {@code ReadOnlyBufferException},
 * which is how least privilege shows up in code.
 */
public final class ShmSequence extends Sequence {
    public static final VarHandle LONG = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    public static final VarHandle INT = MethodHandles.byteBufferViewVarHandle(int[].class, ByteOrder.nativeOrder());

    private final ByteBuffer buffer;
    private final int offset;

    public ShmSequence(ByteBuffer buffer, int offset) {
        if (!buffer.isDirect() || (offset & 7) != 0 || offset < 0 || offset > buffer.capacity() - 8) {
            throw new IllegalArgumentException("sequence offset " + offset + " not an aligned long of a direct buffer of "
                + buffer.capacity() + " bytes");
        }
        this.buffer = buffer;
        this.offset = offset;
    }

    @Override
    public long get() {
        // Acquire: pairs with the writer's release store; what was written before it is visible after.
        return (long) LONG.getAcquire(buffer, offset);
    }

    /** Plain load: only for the single writer reading back its own value. */
    public long getPlain() {
        return (long) LONG.get(buffer, offset);
    }

    @Override
    public void set(long value) {
        // Release: everything written before (slots, records) is visible to a reader that acquires this value.
        LONG.setRelease(buffer, offset, value);
    }

    @Override
    public void setVolatile(long value) {
        // Volatile (StoreLoad): used where a following load of another process's word must not pass this store.
        LONG.setVolatile(buffer, offset, value);
    }

    @Override
    public boolean compareAndSet(long expectedValue, long newValue) {
        return LONG.compareAndSet(buffer, offset, expectedValue, newValue);
    }

    @Override
    public long incrementAndGet() {
        return addAndGet(1L);
    }

    @Override
    public long addAndGet(long increment) {
        return (long) LONG.getAndAdd(buffer, offset, increment) + increment;
    }

    @Override
    public long getAndAdd(long increment) {
        return (long) LONG.getAndAdd(buffer, offset, increment);
    }

    public int offset() {
        return offset;
    }

    @Override
    public String toString() {
        return Long.toString(get());
    }
}
