package org.streetgate.drivers.escpos;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import javax.imageio.ImageIO;
import org.streetgate.drivers.transport.ReceiveBuffer;
import org.streetgate.drivers.transport.SerialLink;
import org.streetgate.drivers.transport.SerialSimulator;
import org.tinylog.Logger;

/**
 * A thermal receipt printer in software. It parses the ESC/POS stream, draws what it would print
 * (see {@link ReceiptRenderer}) and, at each cut, keeps the receipt and writes it as a PNG when it
 * has an output directory. DLE EOT is answered at once, as real-time commands are; everything else
 * prints in order, and stops (held, not dropped) while the paper is out or the cover is open, then
 * continues when the paper is loaded and the cover shut, as a real printer does.
 *
 * <p>Control surface: {@link #paperOut}, {@link #paperLow}, {@link #runOutAfter}, {@link #loadPaper},
 * {@link #openCover}, {@link #closeCover}, {@link #silence}, {@link #error} / {@link #clearError} (the
 * DLE EOT 3 causes: auto-cutter, unrecoverable, auto-recoverable).
 */
public final class EscPosSimulator implements SerialSimulator {
    /** One cut receipt; {@code file} is null when the simulator has no output directory. */
    public record PrintedReceipt(BufferedImage image, String text, List<String> qrCodes, Path file) {}

    private final ReceiptRenderer renderer;
    private final Path outputDir;
    private final Deque<EscPosCodec.Op> held = new ArrayDeque<>();
    private final List<PrintedReceipt> receipts = new ArrayList<>();
    private boolean coverOpen;
    private boolean paperEnd;
    private boolean paperNearEnd;
    private boolean silent;
    private Error error;
    private long paperLeftDots = Long.MAX_VALUE;
    private long statusQueries;
    private long unknownBytes;

    /**
     * @param widthDots 576 for 80 mm paper, 384 for 58 mm
     * @param outputDir where to write {@code receipt-0001.png}, ...; null keeps receipts in memory only
     */
    public EscPosSimulator(int widthDots, Path outputDir) {
        this.renderer = new ReceiptRenderer(widthDots);
        this.outputDir = outputDir;
        ReceiptRenderer.baseFont(); // find the font now, not while the first job waits for its status answer
    }

    public synchronized void paperOut() {
        paperEnd = true;
        paperNearEnd = true;
    }

    /** The near-end sensor trips: the printer still prints. */
    public synchronized void paperLow() {
        paperNearEnd = true;
    }

    /** The roll ends after {@code dots} more dot rows (8 per mm): the next job stops part-way. */
    public synchronized void runOutAfter(int dots) {
        paperLeftDots = dots;
    }

    /** A fresh roll: whatever was held prints now. */
    public synchronized void loadPaper() {
        paperEnd = false;
        paperNearEnd = false;
        paperLeftDots = Long.MAX_VALUE;
        notifyAll();
    }

    public synchronized void openCover() {
        coverOpen = true;
    }

    public synchronized void closeCover() {
        coverOpen = false;
        notifyAll();
    }

    /** A silent printer answers nothing (powered off, cable loose) but still hears the line. */
    public synchronized void silence(boolean silent) {
        this.silent = silent;
    }

    /** The error causes DLE EOT 3 reports (Epson bits 3, 5 and 6). */
    public enum Error {
        AUTO_CUTTER(EscPosCodec.ERROR_CUTTER),
        UNRECOVERABLE(EscPosCodec.ERROR_UNRECOVERABLE),
        AUTO_RECOVERABLE(EscPosCodec.ERROR_AUTO_RECOVERABLE);

        private final String text;

        Error(String text) {
            this.text = text;
        }
    }

    /** The printer stops with {@code e}: offline, holding what it was sent, until {@link #clearError()}. */
    public synchronized void error(Error e) {
        error = e;
    }

    /** The cause is gone (cutter freed, head cooled, power cycled): held commands print. */
    public synchronized void clearError() {
        error = null;
        notifyAll();
    }

    public synchronized PrinterState state() {
        return new PrinterState(coverOpen || paperEnd || error != null, coverOpen, paperEnd, paperNearEnd,
                error == null ? null : error.text);
    }

    public synchronized List<PrintedReceipt> receipts() {
        return List.copyOf(receipts);
    }

    /** Commands received but not printed yet because the paper is out or the cover open. */
    public synchronized int heldCommands() {
        return held.size();
    }

    public synchronized long statusQueries() {
        return statusQueries;
    }

    public synchronized long unknownBytes() {
        return unknownBytes;
    }

    /** Waits until {@code n} receipts have been cut. */
    public synchronized List<PrintedReceipt> awaitReceipts(int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (receipts.size() < n) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IllegalStateException("expected " + n + " receipts within " + timeout + ", got " + receipts.size());
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return List.copyOf(receipts);
    }

    /** What is on the paper since the last cut. */
    public synchronized BufferedImage unfinished() {
        return renderer.snapshot();
    }

    @Override
    public void serve(SerialLink link) throws IOException {
        ReceiveBuffer rx = new ReceiveBuffer(4096);
        while (!Thread.currentThread().isInterrupted()) {
            rx.fill(link, Duration.ofMillis(20));
            int used = 0;
            List<Integer> replies = new ArrayList<>();
            synchronized (this) {
                loop:
                while (used < rx.size()) {
                    switch (EscPosCodec.decodeHost(rx.array(), used, rx.size() - used)) {
                        case EscPosCodec.NeedMore n -> {
                            break loop;
                        }
                        case EscPosCodec.Skip s -> {
                            unknownBytes += s.bytes();
                            used += s.bytes();
                        }
                        case EscPosCodec.Parsed p -> {
                            used += p.consumed();
                            if (p.op() instanceof EscPosCodec.StatusQuery q) {
                                // Real-time: print what can be printed first, so the answer is current.
                                printHeld();
                                statusQueries++;
                                if (!silent) {
                                    replies.add(EscPosCodec.statusByte(q.n(), state()));
                                }
                            } else {
                                held.add(p.op());
                            }
                        }
                        default -> throw new IllegalStateException();
                    }
                }
                printHeld();
            }
            rx.consume(used);
            if (!replies.isEmpty()) {
                byte[] out = new byte[replies.size()];
                for (int i = 0; i < out.length; i++) {
                    out[i] = (byte) (int) replies.get(i);
                }
                link.write(out);
            }
        }
    }

    private void printHeld() {
        while (!held.isEmpty() && !coverOpen && !paperEnd && error == null) {
            EscPosCodec.Op op = held.poll();
            int before = renderer.y();
            ReceiptRenderer.Page page = renderer.apply(op);
            long used = page == null ? Math.max(0, renderer.y() - before) : 0;
            if (paperLeftDots != Long.MAX_VALUE) {
                paperLeftDots -= used;
                if (paperLeftDots < 8 * 200) {
                    paperNearEnd = true; // about 20 cm left
                }
                if (paperLeftDots <= 0) {
                    paperEnd = true;
                    paperNearEnd = true;
                }
            }
            if (page != null) {
                keep(page);
            }
        }
    }

    private void keep(ReceiptRenderer.Page page) {
        Path file = null;
        if (outputDir != null) {
            file = outputDir.resolve(String.format("receipt-%04d.png", receipts.size() + 1));
            try {
                Files.createDirectories(outputDir);
                ImageIO.write(page.image(), "png", file.toFile());
            } catch (IOException e) {
                Logger.warn("simulated printer: cannot write {}: {}", file, e.getMessage());
                file = null;
            } catch (UncheckedIOException e) {
                Logger.warn("simulated printer: cannot write {}: {}", file, e.getMessage());
                file = null;
            }
        }
        receipts.add(new PrintedReceipt(page.image(), page.text(), page.qrCodes(), file));
        notifyAll();
    }
}
