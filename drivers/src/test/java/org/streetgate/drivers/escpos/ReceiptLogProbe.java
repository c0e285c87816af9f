package org.streetgate.drivers.escpos;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.streetgate.drivers.config.Position;
import org.streetgate.drivers.spi.Command;
import org.streetgate.drivers.spi.CommandException;
import org.streetgate.drivers.spi.DeviceContext;
import org.streetgate.drivers.spi.DeviceSpec;
import org.streetgate.drivers.spi.DeviceStatus;
import org.streetgate.drivers.testing.CollectingSink;
import org.streetgate.drivers.transport.Hardware;
import org.streetgate.drivers.transport.SerialSettings;

/**
 * Run in a child JVM by {@link ReceiptLogPrivacyIT}: prints receipts holding the code given as
 * argument through a simulated printer, once failing on paper-out, once through {@code execute},
 * once successfully.
 */
public final class ReceiptLogProbe {
    public static void main(String[] args) throws Exception {
        String code = args[0];
        var spec = new DeviceSpec("printer-1", "escpos-printer", Duration.ofMillis(100),
                Optional.of(SerialSettings.of("/dev/ttyUSB-printer", 9600)), true, new Position("probe", 1));
        EscPosDriver driver = new EscPosDriver(new DeviceContext<>(spec,
                new EscPosConfig(576, true, Duration.ofMillis(300), Duration.ofMillis(300), null),
                new CollectingSink(), new DeviceStatus(), new Hardware()));
        driver.start();
        Receipt r = new Receipt(List.of(Receipt.Line.of("取件码 " + code)), "https://k.invalid/p/" + code, true);
        PrintResult ok = driver.print(r, Duration.ofSeconds(5));
        driver.simulator().orElseThrow().paperOut();
        PrintResult failed = driver.print(r, Duration.ofMillis(300));
        boolean commandFailed = false;
        try {
            driver.execute(new Command("c1", "printer-1", "print", Map.of("lines", List.of(Map.of("text", code)))));
        } catch (CommandException e) {
            commandFailed = true;
        }
        driver.stop();
        System.exit(ok.printed() && !failed.printed() && commandFailed ? 0 : 3);
    }
}
