package org.streetgate.drivers.escpos;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.streetgate.drivers.config.ConfigReader;

/**
 * @param widthDots     printable width: 576 dots for 80 mm paper, 384 for 58 mm
 * @param chineseMode   send FS & after init so GB18030 text prints as Chinese (Chinese-market printers)
 * @param waitForPaper  how long a job from {@code cmd} waits for paper or a shut cover before it fails
 * @param replyTimeout  how long to wait for the four DLE EOT status bytes
 * @param simOutput     simulated only: directory for the receipt PNGs (null: keep them in memory)
 */
public record EscPosConfig(int widthDots, boolean chineseMode, Duration waitForPaper, Duration replyTimeout,
                           Path simOutput) {
    public EscPosConfig {
        if (widthDots < 8 || widthDots % 8 != 0) {
            throw new IllegalArgumentException("paper width must be a positive multiple of 8 dots, not " + widthDots);
        }
    }

    public static EscPosConfig defaults() {
        return new EscPosConfig(576, true, Duration.ofSeconds(30), Duration.ofMillis(500), null);
    }

    static EscPosConfig read(ConfigReader r) {
        String width = r.oneOf("paper-width", "80mm", List.of("80mm", "58mm"));
        boolean chinese = r.bool("chinese-mode", true);
        Duration wait = r.duration("wait-for-paper", Duration.ofSeconds(30));
        Duration reply = r.duration("reply-timeout", Duration.ofMillis(500));
        String out = r.string("sim-output", null);
        return new EscPosConfig(width.equals("58mm") ? 384 : 576, chinese, wait, reply, out == null ? null : Path.of(out));
    }
}
