package io.aperture;

import io.aperture.internal.ring.RingReader;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/** A record handler for ring tests that copies every message it is given and ignores terminal records. */
final class PayloadCollector implements RingReader.RecordHandler {
    final List<byte[]> payloads = new ArrayList<>();
    final List<Long> sequences = new ArrayList<>();

    @Override
    public boolean onData(ByteBuffer window, long sequence) {
        byte[] copy = new byte[window.remaining()];
        window.get(copy);
        payloads.add(copy);
        sequences.add(sequence);
        return true;
    }

    @Override
    public void onComplete() {
    }

    @Override
    public void onError(String remoteClassName, String remoteMessage) {
    }
}
