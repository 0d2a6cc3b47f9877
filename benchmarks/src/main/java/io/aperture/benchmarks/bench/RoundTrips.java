package io.aperture.benchmarks.bench;

import org.HdrHistogram.Histogram;

/**
 * The round trips of one pinger: {@code warmup} unrecorded ones, then {@code runs} measured runs of
 * {@code pings} each, every run in its own histogram, printed ({@link BenchChild#histogram}) as the run ends.
 * The pinger's thread only.
 */
final class RoundTrips {
    private final int warmup;
    private final int perRun;
    /** Round trips in all: warm-up and measured runs. */
    final long total;
    private Histogram histogram = BenchChild.newHistogram();

    RoundTrips(Params p) {
        this.warmup = p.getInt("warmup");
        this.perRun = p.getInt("pings");
        this.total = warmup + (long) perRun * p.getInt("runs");
    }

    /** Round trip {@code seq} (from 0) took {@code nanos}: recorded after the warm-up, the run's histogram printed at its end. */
    void record(long seq, long nanos) {
        if (seq < warmup) {
            return;
        }
        histogram.recordValue(nanos);
        long index = seq - warmup;
        if ((index + 1) % perRun == 0) {
            BenchChild.histogram((int) (index / perRun), histogram);
            histogram = BenchChild.newHistogram();
        }
    }
}
