package io.aperture.benchmarks.bench;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Rates as small multiples: one panel per scenario, one horizontal bar per transport labelled on its own row
 * (no legend to match colours against), the bar at the median and a whisker from the min to the max of the
 * measured runs, on one logarithmic axis shared by every panel so that a 0.2 M msg/s peer and a 150 M msg/s one
 * both show and panels compare at a glance. Aperture's own rows are drawn in a colour of their own.
 */
final class PanelChart {
    private static final int WIDTH = 1000;
    private static final int LABEL_WIDTH = 330;
    private static final int VALUE_WIDTH = 90;
    private static final int ROW = 22;
    private static final int PANEL_GAP = 34;
    private static final int TOP = 56;
    private static final int BOTTOM = 44;
    private static final Color OWN = new Color(0x1f, 0x77, 0xb4);
    private static final Color PEER = new Color(0xa0, 0xa0, 0xa0);
    private static final Color GRID = new Color(0xe4, 0xe4, 0xe4);

    private PanelChart() {
    }

    /**
     * Draws {@code panels} into {@code file} (PNG).
     *
     * @param title  the chart's title
     * @param unit   the axis unit, e.g. {@code M msg/s}
     * @param panels one per scenario, rows in the order given
     */
    static void write(Path file, String title, String unit, List<Panel> panels) throws IOException {
        double lo = Double.MAX_VALUE;
        double hi = 0;
        int rows = 0;
        for (Panel panel : panels) {
            for (Row row : panel.rows()) {
                lo = Math.min(lo, row.min());
                hi = Math.max(hi, row.max());
            }
            rows += panel.rows().size();
        }
        if (rows == 0 || !(lo > 0) || !(hi > 0)) {
            throw new IllegalArgumentException(title + ": nothing positive to draw (" + rows + " rows, min " + lo + ")");
        }
        int decadeLo = (int) Math.floor(Math.log10(lo));
        int decadeHi = (int) Math.ceil(Math.log10(hi));
        if (decadeHi == decadeLo) {
            decadeHi++;
        }
        int height = TOP + BOTTOM + rows * ROW + panels.size() * (PANEL_GAP + 4);
        BufferedImage image = new BufferedImage(WIDTH, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, height);
            Axis axis = new Axis(decadeLo, decadeHi, LABEL_WIDTH, WIDTH - VALUE_WIDTH);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
            g.drawString(title, LABEL_WIDTH, 24);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.drawString("bar: median of the measured runs; whisker: min to max; logarithmic axis, " + unit, LABEL_WIDTH, 42);
            int y = TOP;
            for (Panel panel : panels) {
                y = drawPanel(g, axis, panel, y);
            }
            g.setColor(Color.DARK_GRAY);
            FontMetrics fm = g.getFontMetrics();
            for (int d = decadeLo; d <= decadeHi; d++) {
                String label = tick(Math.pow(10, d));
                g.drawString(label, axis.x(Math.pow(10, d)) - fm.stringWidth(label) / 2, y + 14);
            }
            g.drawString(unit, axis.right - fm.stringWidth(unit), y + 30);
        } finally {
            g.dispose();
        }
        if (!ImageIO.write(image, "png", file.toFile())) {
            throw new IOException("no PNG writer for " + file);
        }
    }

    private static int drawPanel(Graphics2D g, Axis axis, Panel panel, int top) {
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        g.setColor(Color.BLACK);
        g.drawString(panel.title(), 8, top + 14);
        int y = top + 22;
        int bottom = y + panel.rows().size() * ROW;
        g.setColor(GRID);
        for (int d = axis.decadeLo; d <= axis.decadeHi; d++) {
            int x = axis.x(Math.pow(10, d));
            g.drawLine(x, y - 4, x, bottom);
        }
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics fm = g.getFontMetrics();
        for (Row row : panel.rows()) {
            g.setColor(Color.BLACK);
            g.drawString(row.label(), LABEL_WIDTH - 8 - fm.stringWidth(row.label()), y + 15);
            int barEnd = axis.x(row.median());
            g.setColor(row.own() ? OWN : PEER);
            g.fillRect(axis.left, y + 4, Math.max(1, barEnd - axis.left), ROW - 8);
            int whiskerY = y + ROW / 2;
            int from = axis.x(row.min());
            int to = axis.x(row.max());
            g.setColor(Color.BLACK);
            g.setStroke(new BasicStroke(1.5f));
            g.drawLine(from, whiskerY, to, whiskerY);
            g.drawLine(from, whiskerY - 5, from, whiskerY + 5);
            g.drawLine(to, whiskerY - 5, to, whiskerY + 5);
            g.drawString(number(row.median()), Math.max(to, barEnd) + 6, y + 15);
            y += ROW;
        }
        g.setColor(Color.GRAY);
        g.drawLine(axis.left, top + 18, axis.left, bottom);
        return bottom + PANEL_GAP - 18;
    }

    private static String tick(double v) {
        return v >= 1 ? String.format(Locale.ROOT, "%.0f", v) : BenchRunner.trim(v);
    }

    private static String number(double v) {
        return v >= 100 ? String.format(Locale.ROOT, "%.0f", v)
            : v >= 10 ? String.format(Locale.ROOT, "%.1f", v) : String.format(Locale.ROOT, "%.2f", v);
    }

    /** A logarithmic axis from {@code 10^decadeLo} at {@code left} to {@code 10^decadeHi} at {@code right}. */
    private record Axis(int decadeLo, int decadeHi, int left, int right) {
        int x(double value) {
            double position = (Math.log10(value) - decadeLo) / (decadeHi - decadeLo);
            return left + (int) Math.round(Math.max(0, Math.min(1, position)) * (right - left));
        }
    }

    /**
     * One scenario.
     *
     * @param title the scenario
     * @param rows  its transports
     */
    record Panel(String title, List<Row> rows) {
    }

    /**
     * One transport's figure.
     *
     * @param label  the transport's name
     * @param own    whether it is one of Aperture's
     * @param median the median run
     * @param min    the slowest run
     * @param max    the fastest run
     */
    record Row(String label, boolean own, double median, double min, double max) {
    }
}
