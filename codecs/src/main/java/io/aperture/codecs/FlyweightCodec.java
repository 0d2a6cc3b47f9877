package io.aperture.codecs;

import io.aperture.Codec;

import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Fixed-layout records written and read in place, field by field at fixed offsets, with no allocation per
 * message. A subclass declares the layout (its length and each field's offset, Descriptor style) and the two
 * field copies:
 * <pre>{@code
 * final class TickCodec extends FlyweightCodec<Tick> {
 *     static final int INSTRUMENT_OFFSET = 0;
 *     static final int PRICE_OFFSET = INSTRUMENT_OFFSET + Long.BYTES;
 *     static final int LENGTH = PRICE_OFFSET + Long.BYTES;
 *
 *     TickCodec() { super("tick", 1, LENGTH); }
 *     protected Tick newRecord() { return new Tick(); }
 *     protected void write(Tick t, ByteBuffer b, int offset) {
 *         b.putLong(offset + INSTRUMENT_OFFSET, t.instrument).putLong(offset + PRICE_OFFSET, t.price);
 *     }
 *     protected void read(ByteBuffer b, int offset, Tick into) {
 *         into.instrument = b.getLong(offset + INSTRUMENT_OFFSET);
 *         into.price = b.getLong(offset + PRICE_OFFSET);
 *     }
 * }
 * }</pre>
 * {@link #write} puts the fields straight into the ring; {@link #read} takes them straight out of it into a
 * mutable record that is reused: each thread has one (made once by {@link #newRecord()}), and {@link #decode}
 * returns that same instance every time.
 *
 * <p><b>Lifetime of a decoded record.</b> A channel subscriber decodes and delivers on its one drain thread:
 * {@code decode} then {@code onNext(record)}, and the next {@code decode} only after {@code onNext} returned.
 * So the record is valid until {@code onNext} returns. Code that keeps it longer or hands it to another thread
 * ({@code publishOn}, {@code buffer}, {@code collectList}, ...) must copy it first, e.g. {@code .map(Tick::copy)}.
 * On the publishing side the codec copies the fields out of the value during {@code onNext}, so a source may
 * reuse one mutable value for every element.
 *
 * <p>The record's fields are copied once, at decode, rather than read lazily from the ring through a view:
 * the values cannot change under the consumer (the ring is another process's memory), {@link #read} can
 * validate them once, and the window is not used after {@code decode} returns, as {@link Codec} requires.
 * Fields are in the window's byte order, the machine's native order.
 *
 * @param <T> the mutable record type
 */
public abstract class FlyweightCodec<T> implements Codec<T> {
    private final String name;
    private final int schemaId;
    private final int length;
    private final ThreadLocal<Owned<T>> decoded = new ThreadLocal<>();
    /**
     * The record of the thread that decoded last: a subscriber's drain thread decodes every message of its channel, so
     * this spares it a thread-local lookup per message (about a sixth of a drain thread's time on 8-byte records).
     * Plain: a thread that reads another thread's entry (its fields are final, so it is whole) sees a stranger as the
     * owner and looks up its own; a lost update only costs the next decode that lookup.
     */
    private Owned<T> last;

    /** A thread's reused record, with the thread it belongs to. */
    private static final class Owned<T> {
        final Thread owner;
        final T record;

        Owned(Thread owner, T record) {
            this.owner = owner;
            this.record = record;
        }
    }

    /**
     * A codec of records {@code length} bytes long, under {@code name} and {@code schemaId}.
     *
     * @param name     the codec name, 1 to 64 bytes of UTF-8, written in the ring header
     * @param schemaId the layout's version: change it whenever the layout changes
     * @param length   bytes of one record, at least 0
     */
    protected FlyweightCodec(String name, int schemaId, int length) {
        this.name = CodecNames.check(Objects.requireNonNull(name, "name"));
        if (length < 0) {
            throw new IllegalArgumentException("record length " + length + " < 0");
        }
        this.schemaId = schemaId;
        this.length = length;
    }

    /**
     * A new mutable record; {@link #decode} makes one per thread and reuses it.
     *
     * @return a new record, whose fields {@link #read} then fills
     */
    protected abstract T newRecord();

    /**
     * Writes {@code value}'s fields into {@code buffer} at {@code offset} plus each field's offset (absolute
     * puts). At least {@link #length()} bytes from {@code offset} are writable. Throwing here fails the
     * element: the publisher's upstream is cancelled and the subscriber sees the error.
     *
     * @param value  the value whose fields are copied
     * @param buffer the ring window, in native byte order
     * @param offset where the record starts in {@code buffer}
     */
    protected abstract void write(T value, ByteBuffer buffer, int offset);

    /**
     * Reads the fields at {@code offset} plus each field's offset (absolute gets) into {@code into}; throws
     * {@link IllegalArgumentException} when a field holds an invalid value. Exactly {@link #length()} bytes
     * from {@code offset} are readable.
     *
     * @param buffer the read-only ring window, in native byte order
     * @param offset where the record starts in {@code buffer}
     * @param into   the thread's reused record, whose fields are overwritten
     */
    protected abstract void read(ByteBuffer buffer, int offset, T into);

    /**
     * Bytes of one record.
     *
     * @return the fixed length of one record in bytes
     */
    public final int length() {
        return length;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final int schemaId() {
        return schemaId;
    }

    @Override
    public final void encode(T value, ByteBuffer window) {
        int offset = window.position();
        if (window.remaining() < length) {
            throw new BufferOverflowException();
        }
        write(value, window, offset);
        window.position(offset + length);
    }

    /** Returns this thread's record filled from the window: valid until the next decode on this thread. */
    @Override
    public final T decode(ByteBuffer window) {
        if (window.remaining() != length) {
            throw new IllegalArgumentException(name + " records are " + length + " bytes, got " + window.remaining());
        }
        Thread thread = Thread.currentThread();
        Owned<T> owned = last;
        if (owned == null || owned.owner != thread) {
            owned = ownedBy(thread);
            last = owned;
        }
        read(window, window.position(), owned.record);
        return owned.record;
    }

    private Owned<T> ownedBy(Thread thread) {
        Owned<T> owned = decoded.get();
        if (owned == null) {
            owned = new Owned<>(thread, Objects.requireNonNull(newRecord(), "newRecord()"));
            decoded.set(owned);
        }
        return owned;
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + '{' + name + ", schema " + schemaId + ", " + length + " bytes}";
    }
}
