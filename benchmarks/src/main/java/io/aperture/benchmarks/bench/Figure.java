package io.aperture.benchmarks.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One measured figure: the value of each measured run (warm-up excluded), their median, min and max.
 *
 * @param scenario        e.g. {@code throughput-8B-unbounded}
 * @param transport       {@code aperture}, {@code ring}, {@code reactor}, {@code aeron}, {@code uds}, {@code rsocket}
 * @param metric          e.g. {@code throughput}, {@code p99}
 * @param unit            e.g. {@code M msg/s}, {@code µs}
 * @param higherIsBetter  true for rates, false for latencies
 */
public record Figure(String scenario, String transport, String metric, String unit, boolean higherIsBetter,
                     List<Double> runs, double median, double min, double max) {

    static Figure of(String scenario, String transport, String metric, String unit, boolean higherIsBetter,
                     List<Double> runs) {
        if (runs.isEmpty()) {
            throw new IllegalStateException("no measured runs for " + scenario + " " + transport + " " + metric);
        }
        List<Double> sorted = new ArrayList<>(runs);
        Collections.sort(sorted);
        int n = sorted.size();
        double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        return new Figure(scenario, transport, metric, unit, higherIsBetter, List.copyOf(runs), median,
            sorted.get(0), sorted.get(n - 1));
    }

    /**
     * A ratio to a peer: an Aperture transport's median divided by the peer's, for both kinds of figure. For
     * rates above 1 means Aperture is faster; for latencies below 1 means Aperture is faster.
     *
     * @param scenario  the scenario
     * @param metric    the metric
     * @param own       the Aperture transport: {@code aperture} (Flux) or {@code ring} (raw ring API)
     * @param peer      the peer transport
     * @param ratio     Aperture's median / the peer's median
     * @param apertureBetter whether Aperture's figure is the better one
     */
    public record Ratio(String scenario, String metric, String own, String peer, double ratio, boolean apertureBetter) {
    }
}
