package io.aperture.rsocket;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ReferenceCountUtil;
import io.rsocket.DuplexConnection;
import io.rsocket.RSocketErrorException;
import io.rsocket.frame.ErrorFrameCodec;
import reactor.core.Disposable;
import reactor.core.Disposables;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.core.scheduler.Schedulers;

import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An RSocket {@link DuplexConnection} over two rings: frames sent go to this end's outbound channel
 * ({@link FrameOutbox}); frames received are pushed in by whoever reads this end's inbound channel (the client's
 * response-channel subscription, or the server's merge of request channels) and buffered until RSocket reads them.
 * Disposing completes the outbound channel after the frames queued; {@link #onClose()} completes once that channel
 * has ended (or after the grace period, when the peer stopped reading).
 */
final class RingDuplexConnection implements DuplexConnection {
    private final ByteBufAllocator allocator;
    private final SocketAddress remote;
    private final Duration grace;
    private final FrameOutbox outbox = new FrameOutbox();
    private final Sinks.Many<ByteBuf> inbound = Sinks.many().unicast().onBackpressureBuffer();
    private final Sinks.Empty<Void> closed = Sinks.empty();
    private final Disposable.Swap outboundChannel = Disposables.swap();
    private final Disposable.Swap inboundChannel = Disposables.swap();
    private final AtomicBoolean disposed = new AtomicBoolean();
    private final AtomicBoolean received = new AtomicBoolean();

    RingDuplexConnection(ByteBufAllocator allocator, SocketAddress remote, Duration grace) {
        this.allocator = allocator;
        this.remote = remote;
        this.grace = grace;
    }

    FrameOutbox outbox() {
        return outbox;
    }

    /** The subscription of this end's outbound channel: its end closes the connection. */
    void bindOutbound(Mono<Void> publishing) {
        outboundChannel.update(publishing.subscribe(null, e -> outboundEnded(), this::outboundEnded));
    }

    /** A subscription that feeds {@link #onReceived}; cancelled when the connection is disposed. */
    void bindInbound(Disposable subscription) {
        inboundChannel.update(subscription);
    }

    /** A frame from the peer; this connection takes ownership of it. */
    void onReceived(ByteBuf frame) {
        boolean taken;
        synchronized (inbound) { // emissions into the sink are serialised: a concurrent complete would be lost
            taken = !disposed.get() && inbound.tryEmitNext(frame).isSuccess();
        }
        if (!taken) {
            frame.release();
        }
    }

    /** The peer's channel ended (completed, failed, or its process died). */
    void inboundEnded() {
        dispose();
    }

    private void outboundEnded() {
        dispose();
        outboundChannel.dispose();
        outbox.close(); // the channel ended: the frames it did not write are released here
        closed.tryEmitEmpty();
    }

    @Override
    public void sendFrame(int streamId, ByteBuf frame) {
        if (disposed.get() || !outbox.send(RingFrame.frame(frame))) {
            frame.release();
        }
    }

    @Override
    public void sendErrorAndClose(RSocketErrorException error) {
        ByteBuf frame = ErrorFrameCodec.encode(allocator, 0, error);
        if (disposed.get() || !outbox.send(RingFrame.frame(frame))) {
            frame.release();
        }
        dispose();
    }

    /**
     * The frames received, each released once RSocket's {@code onNext} returned (RSocket retains what it keeps, as
     * over TCP, where Reactor Netty releases every inbound buffer after its {@code onNext}).
     */
    @Override
    public Flux<ByteBuf> receive() {
        Flux<ByteBuf> frames = inbound.asFlux()
            .doOnSubscribe(s -> received.set(true))
            .doOnDiscard(ByteBuf.class, ReferenceCountUtil::safeRelease);
        return Flux.from(actual -> frames.subscribe(new ReleaseAfterNext<>(actual, ReferenceCountUtil::safeRelease)));
    }

    @Override
    public ByteBufAllocator alloc() {
        return allocator;
    }

    @Override
    public SocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public Mono<Void> onClose() {
        return closed.asMono();
    }

    @Override
    public void dispose() {
        if (!disposed.compareAndSet(false, true)) {
            return;
        }
        outbox.complete();
        inboundChannel.dispose();
        synchronized (inbound) {
            inbound.tryEmitComplete();
        }
        if (received.compareAndSet(false, true)) { // nobody reads: release what was buffered
            inbound.asFlux().subscribe(ReferenceCountUtil::safeRelease);
        }
        Schedulers.parallel().schedule(this::outboundEnded, grace.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public boolean isDisposed() {
        return disposed.get();
    }

    @Override
    public String toString() {
        return "RingDuplexConnection{" + remote + '}';
    }
}
